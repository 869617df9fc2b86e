//! Modal dialogs: checking, the action menu, confirmations, the snapshot form, messages.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::app::App;
use crate::app::actions::{self, Risk};
use crate::app::dialog::{Confirm, Dialog, SnapshotForm};
use crate::theme::Role;

use super::centered;

pub fn draw(app: &App, f: &mut Frame, dialog: &Dialog) {
    let t = &app.theme;
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
        Dialog::Menu { items, selected } => {
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
        Dialog::Confirm(c) => confirm(app, c),
        Dialog::Snapshot(s) => snapshot(app, s),
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
    let height = (lines.len() as u16 + 4).min(f.area().height.saturating_sub(2));
    let area: Rect = centered(f.area(), 72, height);
    f.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(border)
        .title(Line::styled(title, t.style(Role::Title)))
        .style(t.style(Role::Dialog));
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        area,
    );
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

fn skipped_lines(app: &App, skipped: &[String], lines: &mut Vec<Line<'static>>) {
    if skipped.is_empty() {
        return;
    }
    lines.push(Line::styled(
        format!("Skipped {}:", skipped.len()),
        app.theme.style(Role::Warn),
    ));
    for s in skipped.iter().take(4) {
        lines.push(Line::styled(format!("  {s}"), app.theme.style(Role::Muted)));
    }
    if skipped.len() > 4 {
        lines.push(Line::styled(
            format!("  … and {} more", skipped.len() - 4),
            app.theme.style(Role::Muted),
        ));
    }
}

fn confirm(app: &App, c: &Confirm) -> (String, Style, Vec<Line<'static>>, u16) {
    let t = &app.theme;
    let spec = actions::spec(c.action);
    let mut lines = vec![
        Line::styled(format!("{}?", c.summary), t.style(Role::Title)),
        Line::styled(spec.description.to_string(), t.style(Role::Muted)),
        Line::raw(""),
    ];
    skipped_lines(app, &c.skipped, &mut lines);
    match &c.expect {
        None => lines.push(yes_no(app)),
        Some(expected) => {
            lines.push(Line::from(vec![
                Span::raw("This cannot be undone. Type "),
                Span::styled(expected.clone(), t.style(Role::Danger)),
                Span::raw(" to confirm:"),
            ]));
            lines.push(Line::from(vec![
                Span::styled("> ", t.style(Role::Key)),
                Span::raw(c.input.clone()),
                Span::styled("▏", t.style(Role::Accent)),
            ]));
            lines.push(Line::styled(
                "Enter confirms · Esc cancels",
                t.style(Role::Muted),
            ));
        }
    }
    if let Some(err) = &c.error {
        lines.push(Line::styled(err.clone(), t.style(Role::Error)));
    }
    let border = match c.risk() {
        Risk::Destructive => t.style(Role::Error),
        _ => t.style(Role::Warn),
    };
    (
        format!(" {} · {} ", spec.label, c.risk().label()),
        border,
        lines,
        0,
    )
}

fn snapshot(app: &App, s: &SnapshotForm) -> (String, Style, Vec<Line<'static>>, u16) {
    let t = &app.theme;
    let field = |i: usize, label: &str, value: String| {
        let focused = s.field == i;
        Line::from(vec![
            Span::styled(
                format!("{}{label:<13}", if focused { "▸ " } else { "  " }),
                t.style(if focused { Role::Key } else { Role::Muted }),
            ),
            Span::raw(value),
            Span::styled(
                if focused && i < 2 { "▏" } else { "" },
                t.style(Role::Accent),
            ),
        ])
    };
    let check = |on: bool| {
        if on {
            "[x]".to_string()
        } else {
            "[ ]".to_string()
        }
    };
    let mut lines = vec![
        Line::styled(s.summary.clone(), t.style(Role::Title)),
        Line::raw(""),
    ];
    let name = match s.suggested {
        true => format!("{}  (suggested: typing replaces it)", s.name),
        false => s.name.clone(),
    };
    lines.push(field(0, "Name", name));
    lines.push(field(1, "Description", s.description.clone()));
    lines.push(field(
        2,
        "Memory",
        format!(
            "{} include the VM's memory (slower, larger)",
            check(s.memory)
        ),
    ));
    lines.push(field(
        3,
        "Quiesce",
        format!(
            "{} quiesce the guest file system (needs Tools)",
            check(s.quiesce)
        ),
    ));
    lines.push(Line::raw(""));
    skipped_lines(app, &s.skipped, &mut lines);
    if let Some(err) = &s.error {
        lines.push(Line::styled(err.clone(), t.style(Role::Error)));
    }
    lines.push(Line::styled(
        "Tab next field · Space toggles · Enter takes it · Esc cancels",
        t.style(Role::Muted),
    ));
    (" New snapshot ".into(), t.style(Role::Warn), lines, 0)
}
