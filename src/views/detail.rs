//! The detail pane: the selected entity's sections and links, or its raw payload.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use crate::api::model::RawFormat;
use crate::app::{App, DetailRow, DetailState, LocalRow, Pane, detail_rows};
use crate::theme::Role;

use super::pane_block;

pub fn draw(app: &App, f: &mut Frame, area: Rect) {
    let entry = app.detail.entry.map(|id| app.tree.get(id));
    let mut title = match entry {
        Some(e) => format!(" {} · {} ", e.node.name, e.node.kind.label()),
        None => " Detail ".to_string(),
    };
    if app.detail.raw {
        title.push_str("[raw] ");
    }
    let block = pane_block(app, Pane::Detail, title);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let t = &app.theme;
    let (Some(id), Some(_)) = (app.detail.entry, entry) else {
        return;
    };
    // Everything scrolls together: why the node failed (in full, wrapped), then its details.
    let error = t.style(Role::Error);
    let mut lines: Vec<Line> = app
        .detail_banner()
        .into_iter()
        .map(|l| Line::styled(l, error))
        .collect();
    match &app.detail.state {
        DetailState::Local => lines.extend(app.local_rows(id).into_iter().map(|r| local(app, r))),
        DetailState::Loading => lines.push(Line::styled(
            match app.detail_waited() {
                Some(w) => format!("{} loading… {w} (Ctrl-R retries)", app.spinner()),
                None => format!("{} loading…", app.spinner()),
            },
            t.style(Role::Busy),
        )),
        DetailState::Failed(msg) => {
            lines.extend(
                app.detail_failure(msg)
                    .into_iter()
                    .map(|l| Line::styled(l, error)),
            );
            lines.push(Line::raw(""));
            lines.push(Line::styled("Ctrl-R retries.", t.style(Role::Muted)));
        }
        DetailState::Loaded(_) => {}
    }
    let height = inner.height as usize;
    let skip = app.detail.scroll;
    let mut shown: Vec<Line> = lines.into_iter().skip(skip).take(height).collect();
    // A loaded entity can be long (raw payloads): only the rows on screen are built.
    let skip = skip.saturating_sub(app.detail_banner().len());
    let room = height - shown.len();
    match &app.detail.state {
        DetailState::Loaded(d) if app.detail.raw => shown.extend(
            d.raw
                .text
                .lines()
                .skip(skip)
                .take(room)
                .map(|l| raw_line(app, l, d.raw.format)),
        ),
        DetailState::Loaded(d) => {
            let key_w = d
                .sections
                .iter()
                .flat_map(|s| s.rows.iter().map(|(k, _)| k.chars().count()))
                .max()
                .unwrap_or(0)
                .min(24);
            // Links line up in three columns: rel, short type, then the name or href.
            let rel_w = d
                .links
                .iter()
                .map(|l| l.rel.width())
                .max()
                .unwrap_or(0)
                .min(32);
            let type_w = d
                .links
                .iter()
                .map(|l| short_type(&l.media_type).width())
                .max()
                .unwrap_or(0);
            shown.extend(
                detail_rows(d)
                    .into_iter()
                    .skip(skip)
                    .take(room)
                    .map(|r| match r {
                        DetailRow::Title(s) => Line::styled(s.to_string(), t.style(Role::Section)),
                        DetailRow::Field(k, v) => Line::from(vec![
                            Span::styled(format!("  {k:<key_w$}  "), t.style(Role::Muted)),
                            Span::raw(v.to_string()),
                        ]),
                        DetailRow::Blank => Line::raw(""),
                        DetailRow::Link(l) => Line::from(vec![
                            Span::styled(format!("  {:<rel_w$}  ", l.rel), t.style(Role::Accent)),
                            Span::styled(
                                format!("{:<type_w$}  ", short_type(&l.media_type)),
                                t.style(Role::Muted),
                            ),
                            Span::raw(if l.name.is_empty() {
                                l.href.clone()
                            } else {
                                l.name.clone()
                            }),
                        ]),
                    }),
            );
        }
        _ => {}
    }
    f.render_widget(Paragraph::new(shown), inner);
}

/// `application/vnd.vmware.vcloud.vm+xml` → `vm`.
fn short_type(media_type: &str) -> &str {
    let s = media_type.rsplit('.').next().unwrap_or(media_type);
    s.split('+').next().unwrap_or(s)
}

/// Tags and attribute names tinted so a long document is easier to scan.
fn raw_line<'a>(app: &App, line: &'a str, format: RawFormat) -> Line<'a> {
    let t = &app.theme;
    let trimmed = line.trim_start();
    let indent = &line[..line.len() - trimmed.len()];
    match format {
        RawFormat::Xml if trimmed.starts_with('<') => {
            let end = trimmed[1..]
                .find(|c: char| c.is_whitespace() || c == '>')
                .map_or(trimmed.len(), |i| i + 1);
            Line::from(vec![
                Span::raw(indent),
                Span::styled(&trimmed[..end], t.style(Role::Accent)),
                Span::raw(&trimmed[end..]),
            ])
        }
        RawFormat::Json if trimmed.starts_with('"') => match trimmed.find("\":") {
            Some(i) => Line::from(vec![
                Span::raw(indent),
                Span::styled(&trimmed[..i + 1], t.style(Role::Accent)),
                Span::raw(&trimmed[i + 1..]),
            ]),
            None => Line::raw(line),
        },
        _ => Line::raw(line),
    }
}

/// One line about an endpoint or a group.
fn local(app: &App, row: LocalRow) -> Line<'static> {
    let t = &app.theme;
    match row {
        LocalRow::Title(s) => Line::styled(s, t.style(Role::Section)),
        LocalRow::Field(k, v) => Line::from(vec![
            Span::styled(format!("  {k:<12}  "), t.style(Role::Muted)),
            Span::raw(v),
        ]),
        LocalRow::Warn(s) => Line::styled(format!("  {s}"), t.style(Role::Error)),
        LocalRow::Blank => Line::raw(""),
    }
}
