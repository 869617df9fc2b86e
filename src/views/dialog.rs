//! Modal dialogs: checking, the action menu, confirmations, messages (an action's form is
//! drawn by `form.rs` inside the same frame).
//! Every text wraps at the dialog's edge and the dialog grows to hold it (up to the screen);
//! a long list of targets shows what fits and says how many more there are.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::app::App;
use crate::app::actions::{self, Risk};
use crate::app::dialog::{Confirm, Dialog, Listed};
use crate::theme::Role;

use super::centered;

/// Widest a dialog gets.
const WIDTH: u16 = 72;
/// Widest a form gets: a label, its type and the value being typed share each line.
const FORM_WIDTH: u16 = 100;

pub fn draw(app: &App, f: &mut Frame, dialog: &Dialog) {
    let t = &app.theme;
    let widest = match dialog {
        Dialog::Form(_) => FORM_WIDTH,
        _ => WIDTH,
    };
    let width = widest.min(f.area().width);
    let max_height = f.area().height.saturating_sub(2);
    // Rows inside the borders, less one spare row under the text.
    let room = Room {
        width: width.saturating_sub(2),
        height: max_height.saturating_sub(3),
    };
    let (title, border, lines, scroll): (String, Style, Vec<Line>, u16) = match dialog {
        Dialog::Checking(c) => (
            " Checking ".into(),
            t.style(Role::BorderFocused),
            vec![
                Line::styled(
                    format!(
                        "{} asking the server what {} offer{} now…",
                        app.spinner(),
                        names(app, &c.entries),
                        if c.entries.len() == 1 { "s" } else { "" }
                    ),
                    t.style(Role::Busy),
                ),
                Line::raw(""),
                Line::styled("Esc cancels.", t.style(Role::Muted)),
            ],
            0,
        ),
        Dialog::Menu {
            items, selected, ..
        } => {
            let mut lines = vec![Line::styled(
                "Offered by the server right now:",
                t.style(Role::Muted),
            )];
            let width = items
                .iter()
                .map(|i| actions::spec(i.action).label.chars().count())
                .max()
                .unwrap_or(0)
                + 2;
            for (i, item) in items.iter().enumerate() {
                let spec = actions::spec(item.action);
                let key = spec.key.map(|k| k.to_string()).unwrap_or_default();
                let count = if item.targets.len() > 1 {
                    format!(" ({} nodes)", item.targets.len())
                } else {
                    String::new()
                };
                let mut line = Line::from(vec![
                    Span::styled(format!(" {key:>2}  "), t.style(Role::Key)),
                    Span::raw(format!("{:<width$}", spec.label)),
                    Span::styled(
                        format!("{:<12}", spec.risk.label()),
                        risk_style(app, spec.risk),
                    ),
                    Span::styled(count, t.style(Role::Muted)),
                ]);
                if i == *selected {
                    line = line.style(t.style(Role::Selection));
                }
                lines.push(line);
            }
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                "Enter or the key runs it · Esc closes",
                t.style(Role::Muted),
            ));
            (" Actions ".into(), t.style(Role::BorderFocused), lines, 0)
        }
        Dialog::Copy { items, selected } => {
            let width = items
                .iter()
                .map(|(l, _)| l.chars().count())
                .max()
                .unwrap_or(0)
                + 2;
            let mut lines = Vec::new();
            // " 12  label  text": a text wider than what is left wraps under itself, an href
            // or id between its parts (`app::wrap`), not wherever the dialog's edge falls.
            let indent = 5 + width;
            let room_for_text = usize::from(room.width).saturating_sub(indent).max(16);
            for (i, (label, text)) in items.iter().enumerate() {
                let style = match i == *selected {
                    true => t.style(Role::Selection),
                    false => Style::default(),
                };
                for (n, part) in crate::app::wrap(text, room_for_text)
                    .into_iter()
                    .enumerate()
                {
                    let head = match n {
                        0 => Line::from(vec![
                            Span::styled(format!(" {:>2}  ", i + 1), t.style(Role::Key)),
                            Span::raw(format!("{label:<width$}")),
                        ]),
                        _ => Line::raw(" ".repeat(indent)),
                    };
                    let mut spans = head.spans;
                    spans.push(Span::styled(part, t.style(Role::Muted)));
                    lines.push(Line::from(spans).style(style));
                }
            }
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                "Enter or the number copies (to the terminal's clipboard) · Esc closes",
                t.style(Role::Muted),
            ));
            (" Copy ".into(), t.style(Role::BorderFocused), lines, 0)
        }
        Dialog::Confirm(c) => confirm(app, c, room),
        Dialog::Form(d) => super::form::form(app, d, room),
        Dialog::CancelTask { task, .. } => (
            " Cancel task ".into(),
            t.style(Role::Warn),
            vec![
                Line::raw(format!(
                    "Cancel \"{}\"{}?",
                    task.operation,
                    task.target
                        .as_ref()
                        .map(|t| format!(" on {}", t.name))
                        .unwrap_or_default()
                )),
                Line::raw(""),
                yes_no(app),
            ],
            0,
        ),
        Dialog::Quit => {
            let (running, queued) = app.invocations.unfinished();
            let mut lines = vec![Line::styled(
                match running {
                    0 => "Every task has ended — quit?".to_string(),
                    1 => "1 task still running — quit anyway?".to_string(),
                    n => format!("{n} tasks still running — quit anyway?"),
                },
                t.style(Role::Title),
            )];
            if queued > 0 {
                lines.push(Line::styled(
                    format!("{queued} confirmed but not started yet will never start."),
                    t.style(Role::Error),
                ));
            }
            lines.push(Line::styled(
                "Running tasks go on on the server; vnav stops following them and their audit \
                 lines say \"still running when vnav exited\".",
                t.style(Role::Muted),
            ));
            lines.push(Line::raw(""));
            lines.push(yes_no(app));
            lines.push(Line::styled(
                "Ctrl-C again quits at once.",
                t.style(Role::Muted),
            ));
            (" Quit ".into(), t.style(Role::Warn), lines, 0)
        }
        Dialog::Message {
            title,
            text,
            scroll,
        } => {
            let mut lines: Vec<Line> = text.lines().map(|l| Line::raw(l.to_string())).collect();
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                "j/k scroll · any other key closes",
                t.style(Role::Muted),
            ));
            (format!(" {title} "), t.style(Role::Error), lines, *scroll)
        }
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(border)
        .title(Line::styled(title, t.style(Role::Title)))
        .style(t.style(Role::Dialog));
    let text = Paragraph::new(lines)
        .block(block)
        .wrap(Wrap { trim: false })
        .scroll((scroll, 0));
    let height = (text.line_count(room.width) as u16 + 1).min(max_height);
    let area: Rect = centered(f.area(), width, height);
    f.render_widget(Clear, area);
    f.render_widget(text, area);
}

/// The inside of the largest dialog the screen holds.
#[derive(Clone, Copy)]
pub(super) struct Room {
    pub(super) width: u16,
    pub(super) height: u16,
}

impl Room {
    /// Screen rows these lines take once wrapped.
    pub(super) fn rows(self, lines: &[Line<'static>]) -> usize {
        Paragraph::new(lines.to_vec())
            .wrap(Wrap { trim: false })
            .line_count(self.width)
    }
}

fn names(app: &App, entries: &[u32]) -> String {
    match entries {
        [one] => app.tree.get(*one).node.name.to_string(),
        many => format!("{} nodes", many.len()),
    }
}

fn risk_style(app: &App, risk: Risk) -> Style {
    match risk {
        Risk::Safe => app.theme.style(Role::Ok),
        Risk::Disruptive => app.theme.style(Role::Warn),
        Risk::Destructive => app.theme.style(Role::Error),
    }
}

fn yes_no(app: &App) -> Line<'static> {
    Line::from(vec![
        Span::styled(" y ", app.theme.style(Role::Key)),
        Span::raw("yes    "),
        Span::styled(" N ", app.theme.style(Role::Key)),
        Span::raw("no (default: Enter, Esc or any other key)"),
    ])
}

/// "8 targets: 7 will run, 1 skipped, 2 hidden by the filter".
fn listed_heading(app: &App, listed: &[Listed]) -> Line<'static> {
    let skipped = listed.iter().filter(|l| l.skip.is_some()).count();
    let losing = listed.iter().filter(|l| l.loses.is_some()).count();
    let mut parts = vec![format!("{} will run", listed.len() - skipped)];
    if skipped > 0 {
        parts.push(format!("{skipped} skipped"));
    }
    if losing > 0 {
        let verb = if losing == 1 { "replaces" } else { "replace" };
        parts.push(format!("{losing} {verb} a snapshot"));
    }
    let mut hidden: Vec<&str> = listed.iter().filter_map(|l| l.hidden).collect();
    hidden.sort_unstable();
    let mut reasons = hidden.clone();
    reasons.dedup();
    for r in reasons {
        parts.push(format!(
            "{} {r}",
            hidden.iter().filter(|h| **h == r).count()
        ));
    }
    let role = if skipped + losing > 0 {
        Role::Warn
    } else {
        Role::Text
    };
    Line::styled(
        format!(
            "{} target{}: {}",
            listed.len(),
            if listed.len() == 1 { "" } else { "s" },
            parts.join(", ")
        ),
        app.theme.style(role),
    )
}

/// One target: its name and where it is, then (indented, on lines of their own so they read
/// apart from the name) why it is skipped or what it loses.
fn listed_line(app: &App, l: &Listed) -> Vec<Line<'static>> {
    let t = &app.theme;
    let (mark, role) = match (&l.skip, &l.loses) {
        (Some(_), _) => ("  ✗ ", Role::Muted),
        (None, Some(_)) => ("  ! ", Role::Error),
        (None, None) => ("  ✓ ", Role::Ok),
    };
    let mut spans = vec![
        Span::styled(mark, t.style(role)),
        Span::raw(l.name.clone()),
        Span::styled(format!("  {}", l.about), t.style(Role::Muted)),
    ];
    if let Some(h) = l.hidden {
        spans.push(Span::styled(format!(" · {h}"), t.style(Role::Warn)));
    }
    let mut lines = vec![Line::from(spans)];
    if let Some(why) = &l.skip {
        lines.push(Line::styled(
            format!("      skipped: {why}"),
            t.style(Role::Warn),
        ));
    }
    if let Some(loses) = &l.loses {
        lines.push(Line::styled(format!("      {loses}"), t.style(Role::Error)));
    }
    lines
}

/// The targets from `scroll` on, as many as fit in `rows` with the heading and a "… and N
/// more" line; nothing when there is nothing to list.
pub(super) fn listed_lines(
    app: &App,
    listed: &[Listed],
    scroll: usize,
    room: Room,
    rows: usize,
) -> Vec<Line<'static>> {
    if listed.is_empty() {
        return Vec::new();
    }
    let muted = app.theme.style(Role::Muted);
    let mut out = vec![listed_heading(app, listed)];
    let start = scroll.min(listed.len() - 1);
    if start > 0 {
        out.push(Line::styled(format!("  ↑ {start} above"), muted));
    }
    let mut used = room.rows(&out);
    let mut end = start;
    for l in &listed[start..] {
        let lines = listed_line(app, l);
        let h = room.rows(&lines);
        // Leave a row for "… and N more" unless this is the last one.
        let more = usize::from(end + 1 < listed.len());
        if end > start && used + h + more > rows {
            break;
        }
        used += h;
        out.extend(lines);
        end += 1;
    }
    if end < listed.len() {
        out.push(Line::styled(
            format!("  … and {} more (↑/↓ scroll)", listed.len() - end),
            muted,
        ));
    }
    out.push(Line::raw(""));
    out
}

fn confirm(app: &App, c: &Confirm, room: Room) -> (String, Style, Vec<Line<'static>>, u16) {
    let t = &app.theme;
    let (label, description) = c.label();
    let mut head = vec![Line::styled(
        format!("{}?", c.summary),
        t.style(Role::Title),
    )];
    // A description that only says the label again ("Power on": "power on") is not repeated.
    if !description.trim().eq_ignore_ascii_case(label.trim()) {
        head.push(Line::styled(description, t.style(Role::Muted)));
    }
    // A risk the client decided is said, so an operator knows what the border's word rests on.
    if let Some(rule) = crate::app::dialog::risk_rule_of(&c.targets) {
        head.push(Line::styled(format!("Risk {rule}"), t.style(Role::Muted)));
    }
    head.push(Line::raw(""));
    let mut tail = Vec::new();
    match &c.expect {
        None => tail.push(yes_no(app)),
        Some(expected) => {
            tail.push(Line::from(vec![
                Span::raw("This cannot be undone. Type "),
                Span::styled(expected.clone(), t.style(Role::Danger)),
                Span::raw(" to confirm:"),
            ]));
            tail.push(Line::from(vec![
                Span::styled("> ", t.style(Role::Key)),
                Span::raw(c.input.clone()),
                Span::styled("▏", t.style(Role::Accent)),
            ]));
            tail.push(Line::styled(
                "Enter confirms · Esc cancels",
                t.style(Role::Muted),
            ));
        }
    }
    if let Some(err) = &c.error {
        tail.push(Line::styled(err.clone(), t.style(Role::Error)));
    }
    let rows = (room.height as usize).saturating_sub(room.rows(&head) + room.rows(&tail));
    let mut lines = head;
    lines.extend(listed_lines(app, &c.listed, c.scroll, room, rows));
    lines.extend(tail);
    let border = match c.risk() {
        Risk::Destructive => t.style(Role::Error),
        _ => t.style(Role::Warn),
    };
    (
        format!(" {label} · {} ", c.risk().label()),
        border,
        lines,
        0,
    )
}
