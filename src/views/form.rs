//! The one form (`app/form.rs`), drawn inside the dialog frame: a line per field (label with
//! `*` when mandatory, type, value), the focused field's rows (list items, key/value pairs, a
//! picker's matches) under it, a refused value's problem under its field, and keys for the
//! focused field. Fields scroll so the focused row is always on screen, down to 60×20.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use crate::api::model::ParamType;
use crate::app::App;
use crate::app::dialog::FormDialog;
use crate::app::form::Field;
use crate::theme::Role;

use super::dialog::{Room, listed_lines};

/// Widest the label column gets in a narrow dialog; a wide one gives it up to a third of
/// its width (`LABEL_WIDE`), so a workflow's long input labels read whole.
const LABEL_MAX: usize = 18;
const LABEL_WIDE: usize = 34;
/// Widest the type column gets.
const TYPE_MAX: usize = 17;
/// The room a field's value keeps beside a long label.
const VALUE_MIN: usize = 30;

pub(super) fn form(
    app: &App,
    d: &FormDialog,
    room: Room,
) -> (String, Style, Vec<Line<'static>>, u16) {
    let t = &app.theme;
    let width = room.width as usize;
    // The summary, unless it is the title's own words (a workflow's "Run X"): at 80×24 the
    // repeat took a row the fields need.
    let mut head = vec![];
    if d.summary != d.label {
        head.push(Line::styled(d.summary.clone(), t.style(Role::Title)));
    }
    if d.action != crate::api::model::ActionId::SnapshotCreate && !d.description.is_empty() {
        head.push(Line::styled(d.description.clone(), t.style(Role::Muted)));
    }
    // A safe one runs when the form is taken, without a y/N: the rule says why.
    if let Some(rule) = crate::app::dialog::risk_rule_of(&d.targets) {
        head.push(Line::styled(format!("Risk {rule}"), t.style(Role::Muted)));
    }
    let replaces = d.replaces();
    if replaces > 0 {
        let which = match d.targets.len() {
            1 => "this VM's".to_string(),
            _ => format!("{replaces} of these VMs'"),
        };
        head.push(Line::styled(
            format!(
                "The server keeps one snapshot per VM: this deletes {which} existing snapshot \
                 (Enter then asks for the name to be typed)."
            ),
            t.style(Role::Error),
        ));
    }
    head.push(Line::raw(""));

    let (rows, focus) = field_lines(app, d, width);
    let tail = tail_lines(app, d);
    // The fields get what the head and tail leave (at least three rows); the targets, listed
    // under them, what the fields leave.
    let fixed = room.rows(&head) + room.rows(&tail) + 1;
    let room_rows = (room.height as usize).saturating_sub(fixed).max(3);
    let shown = window(rows, focus, room_rows, app);
    let listed_room = (room.height as usize).saturating_sub(fixed + shown.len());
    let mut lines = head;
    let used = shown.len();
    lines.extend(shown);
    lines.push(Line::raw(""));
    if used < room_rows || !d.listed.is_empty() {
        lines.extend(listed_lines(app, &d.listed, 0, room, listed_room));
    }
    lines.extend(tail);
    let border = match (replaces, d.risk) {
        (0, crate::api::model::Risk::Destructive) | (1.., _) => t.style(Role::Error),
        _ => t.style(Role::Warn),
    };
    let title = match (replaces, d.action) {
        (1.., _) => format!(" {} · destructive ", d.label),
        (0, crate::api::model::ActionId::SnapshotCreate) => format!(" {} ", d.label),
        _ => format!(" {} · {} ", d.label, d.risk.label()),
    };
    (title, border, lines, 0)
}

/// The rows that fit, from the first that shows the focused field's line, its cursor and as
/// many of its rows as there is room for, saying how many are cut off above and below.
fn window(
    rows: Vec<Line<'static>>,
    (first, cursor, last): (usize, usize, usize),
    room: usize,
    app: &App,
) -> Vec<Line<'static>> {
    if rows.len() <= room {
        return rows;
    }
    let muted = app.theme.style(Role::Muted);
    let n = rows.len();
    // The first start from the top that shows the focus with its ↑/↓ lines.
    let (mut start, mut end, mut down) = (0, n, false);
    // The field's own rows are kept in view when they fit with the field's line.
    let last = last.min(first + room.saturating_sub(3)).max(cursor);
    while start <= cursor {
        let cap = room - usize::from(start > 0);
        (end, down) = match start + cap >= n {
            true => (n, false),
            false => (start + cap - 1, true),
        };
        if last < end || start == first.min(cursor) {
            break;
        }
        start += 1;
    }
    let mut out: Vec<Line<'static>> = Vec::new();
    if start > 0 {
        out.push(Line::styled(format!("  ↑ {start} more"), muted));
    }
    out.extend(rows.into_iter().skip(start).take(end - start));
    if down {
        out.push(Line::styled(format!("  ↓ {} more", n - end), muted));
    }
    out
}

/// One line per field (more for the focused one), and where the focused field is: its line,
/// the row with the cursor, its last row.
fn field_lines(
    app: &App,
    d: &FormDialog,
    width: usize,
) -> (Vec<Line<'static>>, (usize, usize, usize)) {
    let t = &app.theme;
    let type_w = d
        .form
        .fields
        .iter()
        .map(|f| f.spec.ty.label().width())
        .max()
        .unwrap_or(0)
        .min(if width < 70 { 10 } else { TYPE_MAX });
    // A third of the width, or what the type and `VALUE_MIN` of value leave when that is more:
    // a presentation's label is often a sentence ("Search criteria. Part of the name.").
    let room = width.saturating_sub(2 + 2 + type_w + 1 + VALUE_MIN);
    let label_w = d
        .form
        .fields
        .iter()
        .map(|f| f.spec.label.width() + usize::from(f.spec.mandatory))
        .max()
        .unwrap_or(0)
        .min((width / 3).clamp(LABEL_MAX, LABEL_WIDE).max(room));
    let mut out = Vec::new();
    let mut focus = (0, 0, 0);
    for (i, f) in d.form.fields.iter().enumerate() {
        let focused = i == d.form.focus;
        let mark = if f.spec.mandatory { "*" } else { "" };
        // The mandatory mark survives a cut label.
        let label = format!("{}{mark}", clip(&f.spec.label, label_w - mark.len()));
        let ty = clip(f.spec.ty.label(), type_w);
        let mut spans = vec![
            Span::styled(
                // Two spaces: a label as long as the column does not run into its type.
                format!(
                    "{}{label:<label_w$}  ",
                    if focused { "▸ " } else { "  " },
                    label_w = label_w
                ),
                t.style(if focused { Role::Key } else { Role::Text }),
            ),
            Span::styled(format!("{ty:<type_w$} "), t.style(Role::Muted)),
        ];
        let line = out.len();
        spans.extend(value_spans(app, f, focused));
        out.push(fit(Line::from(spans), width));
        if focused {
            let (sub, at) = sub_rows(app, f);
            let n = sub.len();
            out.extend(sub.into_iter().map(|l| fit(l, width)));
            focus = (line, line + at.map_or(0, |a| a + 1), line + n);
        }
        if let Some(err) = &f.error {
            out.push(fit(
                Line::styled(format!("    ✗ {err}"), t.style(Role::Error)),
                width,
            ));
        }
    }
    (out, focus)
}

/// The value on the field's own line.
fn value_spans(app: &App, f: &Field, focused: bool) -> Vec<Span<'static>> {
    let t = &app.theme;
    let muted = t.style(Role::Muted);
    let cursor = || Span::styled("▏", t.style(Role::Accent));
    let mut spans = Vec::new();
    match &f.spec.ty {
        ParamType::Boolean => {
            spans.push(Span::raw(if f.flag { "[x] " } else { "[ ] " }));
            // Said beside the box unless the label already says it (a presentation's label is
            // often its description).
            if !f
                .spec
                .description
                .trim()
                .eq_ignore_ascii_case(f.spec.label.trim())
            {
                spans.push(Span::styled(f.spec.description.clone(), muted));
            }
        }
        ParamType::SecureString => {
            spans.push(Span::raw("•".repeat(f.text.chars().count())));
            if focused {
                spans.push(cursor());
            }
        }
        ParamType::StringList => match (focused, f.items.len()) {
            (true, n) => spans.push(Span::styled(format!("{n} item(s):"), muted)),
            (false, 0) => spans.push(Span::styled("(none)", muted)),
            (false, _) => spans.push(Span::raw(f.items.join(", "))),
        },
        ParamType::Properties => match (focused, f.pairs.len()) {
            (true, n) => spans.push(Span::styled(format!("{n} pair(s):"), muted)),
            (false, 0) => spans.push(Span::styled("(none)", muted)),
            (false, _) => spans.push(Span::raw(
                f.pairs
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            )),
        },
        ParamType::SdkObject(_) => match f.picked_choice() {
            Some(c) if !focused || f.row > 0 => {
                spans.push(Span::raw(c.name.clone()));
                spans.push(Span::styled(format!("  {}", c.id), muted));
            }
            _ => {
                spans.push(Span::raw(f.text.to_string()));
                if focused && f.row == 0 {
                    spans.push(cursor());
                }
            }
        },
        ParamType::Unsupported(_) => {
            spans.push(Span::styled("(vnav cannot enter this type)", muted))
        }
        _ => {
            spans.push(Span::raw(f.text.to_string()));
            if focused {
                spans.push(cursor());
            }
            if f.suggested {
                spans.push(Span::styled("  (suggested: typing replaces it)", muted));
            }
        }
    }
    spans
}

/// The focused field's own rows and which of them has the cursor.
fn sub_rows(app: &App, f: &Field) -> (Vec<Line<'static>>, Option<usize>) {
    let t = &app.theme;
    let muted = t.style(Role::Muted);
    let sel = t.style(Role::Selection);
    let cursor = Span::styled("▏", t.style(Role::Accent));
    let row = |i: usize, spans: Vec<Span<'static>>| {
        let line = Line::from(spans);
        if i == f.row { line.style(sel) } else { line }
    };
    match &f.spec.ty {
        ParamType::StringList => {
            let mut out: Vec<Line<'static>> = f
                .items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let mut s = vec![Span::raw(format!("      • {item}"))];
                    if i == f.row {
                        s.push(cursor.clone());
                    }
                    row(i, s)
                })
                .collect();
            out.push(row(
                f.items.len(),
                vec![Span::styled("      + type to add an item", muted)],
            ));
            (out, Some(f.row.min(f.items.len())))
        }
        ParamType::Properties => {
            let mut out: Vec<Line<'static>> = f
                .pairs
                .iter()
                .enumerate()
                .map(|(i, (k, v))| {
                    let here = i == f.row;
                    let mut s = vec![Span::raw(format!("      {k}"))];
                    if here && !f.on_value {
                        s.push(cursor.clone());
                    }
                    s.push(Span::styled(" = ", muted));
                    s.push(Span::raw(v.clone()));
                    if here && f.on_value {
                        s.push(cursor.clone());
                    }
                    row(i, s)
                })
                .collect();
            out.push(row(
                f.pairs.len(),
                vec![Span::styled("      + type key=value to add a pair", muted)],
            ));
            (out, Some(f.row.min(f.pairs.len())))
        }
        ParamType::SdkObject(_) => {
            let matches = f.matches();
            if f.choices.is_empty() {
                return (
                    vec![Line::styled(
                        "      nothing of this type loaded: type its id",
                        muted,
                    )],
                    None,
                );
            }
            if matches.is_empty() {
                return (
                    vec![Line::styled(
                        "      no loaded object matches: taken as an id",
                        muted,
                    )],
                    None,
                );
            }
            let out = matches
                .iter()
                .enumerate()
                .map(|(i, &c)| {
                    let c = &f.choices[c];
                    let mark = if f.picked == Some(matches[i]) {
                        "✓"
                    } else {
                        "›"
                    };
                    row(
                        i + 1,
                        vec![
                            Span::raw(format!("      {mark} {}", c.name)),
                            Span::styled(format!("  {}", c.about), muted),
                        ],
                    )
                })
                .collect();
            (out, (f.row > 0).then(|| f.row - 1))
        }
        _ => (Vec::new(), None),
    }
}

/// Under the fields: the focused field's description and keys, the form's keys.
fn tail_lines(app: &App, d: &FormDialog) -> Vec<Line<'static>> {
    let t = &app.theme;
    let muted = t.style(Role::Muted);
    let mut out = Vec::new();
    if let Some(f) = d.form.fields.get(d.form.focus) {
        let keys = match &f.spec.ty {
            ParamType::Boolean => "Space toggles",
            ParamType::StringList => "↑/↓ items · Backspace/Del removes",
            ParamType::Properties => "key=value · ←/→ key or value · Del removes",
            ParamType::SdkObject(_) if f.choices.is_empty() => "type the id",
            ParamType::SdkObject(_) => "type to filter · ↑/↓ onto a match picks it · or type an id",
            ParamType::Date => "2026-12-06 or 2026-12-06T10:00:00Z",
            _ if !f.spec.allowed.is_empty() => "←/→ steps through the allowed values",
            _ => "",
        };
        let mut about = Vec::new();
        if !f.spec.description.is_empty() && f.spec.ty != ParamType::Boolean {
            about.push(f.spec.description.clone());
        }
        if !f.spec.allowed.is_empty() {
            about.push(format!("one of: {}", f.spec.allowed.join(", ")));
        }
        if !keys.is_empty() {
            about.push(keys.to_string());
        }
        if !about.is_empty() {
            out.push(Line::styled(about.join(" · "), muted));
        }
    }
    let bad = d.form.fields.iter().filter(|f| f.error.is_some()).count();
    if bad > 0 {
        out.push(Line::styled(
            format!(
                "{bad} field{} to fix (marked ✗)",
                if bad == 1 { "" } else { "s" }
            ),
            t.style(Role::Error),
        ));
    }
    // ↑/↓ walk a field's rows before leaving it, Tab/Shift-Tab go field by field
    // (`Form::on_key`): the picker's hint above says the same of its rows.
    out.push(Line::styled(
        "Tab/⇧Tab field · ↑/↓ row · Enter takes it · Esc cancels",
        muted,
    ));
    out
}

/// Cuts `s` to `w` columns, ending in … when cut.
fn clip(s: &str, w: usize) -> String {
    if s.width() <= w {
        return s.to_string();
    }
    let mut out = String::new();
    for ch in s.chars() {
        if out.width() + 1 >= w {
            break;
        }
        out.push(ch);
    }
    out.push('…');
    out
}

/// The line cut to `width` columns, so a field is always one row.
fn fit(line: Line<'static>, width: usize) -> Line<'static> {
    if line.width() <= width {
        return line;
    }
    let mut used = 0;
    let mut spans = Vec::new();
    for span in line.spans {
        let w = span.content.width();
        if used + w <= width {
            used += w;
            spans.push(span);
            continue;
        }
        let text = clip(&span.content, width - used);
        spans.push(Span::styled(text, span.style));
        break;
    }
    Line::from(spans).style(line.style)
}
