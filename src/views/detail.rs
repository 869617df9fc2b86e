//! The detail pane: the selected entity's sections and links, or its raw payload.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::api::model::{NodeKind, RawFormat};
use crate::app::tree::Load;
use crate::app::{App, DetailRow, DetailState, Pane, detail_rows};
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
    let mut inner = block.inner(area);
    f.render_widget(block, area);
    let t = &app.theme;
    // A node whose children failed to load says why in full, above its details.
    if let Some(Load::Failed(msg)) = entry.map(|e| &e.load) {
        let text = format!("✗ Loading its children failed: {msg} (Ctrl-R retries)");
        let rows = (text.chars().count() as u16)
            .div_ceil(inner.width.max(1))
            .min(4)
            + 1;
        let banner = Rect {
            height: rows.min(inner.height),
            ..inner
        };
        f.render_widget(
            Paragraph::new(Line::styled(text, t.style(Role::Error))).wrap(Wrap { trim: true }),
            banner,
        );
        inner.y += banner.height;
        inner.height -= banner.height;
    }
    let lines: Vec<Line> = match (&app.detail.state, entry) {
        (_, None) => vec![],
        (DetailState::Local, Some(e)) => local(app, e),
        (DetailState::Loading, Some(_)) => vec![Line::styled(
            format!("{} loading…", app.spinner()),
            t.style(Role::Busy),
        )],
        (DetailState::Failed(msg), Some(_)) => vec![
            Line::styled(format!("✗ {msg}"), t.style(Role::Error)),
            Line::raw(""),
            Line::styled("Ctrl-R retries.", t.style(Role::Muted)),
        ],
        (DetailState::Loaded(d), Some(_)) if app.detail.raw => d
            .raw
            .text
            .lines()
            .skip(app.detail.scroll)
            .take(inner.height as usize)
            .map(|l| raw_line(app, l, d.raw.format))
            .collect(),
        (DetailState::Loaded(d), Some(_)) => {
            let key_w = d
                .sections
                .iter()
                .flat_map(|s| s.rows.iter().map(|(k, _)| k.chars().count()))
                .max()
                .unwrap_or(0)
                .min(24);
            detail_rows(d)
                .into_iter()
                .skip(app.detail.scroll)
                .take(inner.height as usize)
                .map(|r| match r {
                    DetailRow::Title(s) => Line::styled(s.to_string(), t.style(Role::Section)),
                    DetailRow::Field(k, v) => Line::from(vec![
                        Span::styled(format!("  {k:<key_w$}  "), t.style(Role::Muted)),
                        Span::raw(v.to_string()),
                    ]),
                    DetailRow::Blank => Line::raw(""),
                    DetailRow::Link(l) => Line::from(vec![
                        Span::styled(format!("  {:<22} ", l.rel), t.style(Role::Accent)),
                        Span::styled(
                            format!("{} ", short_type(&l.media_type)),
                            t.style(Role::Muted),
                        ),
                        Span::raw(if l.name.is_empty() {
                            l.href.clone()
                        } else {
                            l.name.clone()
                        }),
                    ]),
                })
                .collect()
        }
    };
    f.render_widget(Paragraph::new(lines), inner);
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

/// Endpoints and groups are described from what the tree knows; nothing is fetched.
fn local<'a>(app: &'a App, e: &'a crate::app::tree::Entry) -> Vec<Line<'a>> {
    let t = &app.theme;
    let field = |k: &str, v: String| {
        Line::from(vec![
            Span::styled(format!("  {k:<12}  "), t.style(Role::Muted)),
            Span::raw(v),
        ])
    };
    let mut lines = vec![Line::styled("General", t.style(Role::Section))];
    lines.push(field("Name", e.node.name.to_string()));
    lines.push(field("Kind", e.node.kind.label().to_string()));
    if e.node.kind == NodeKind::Endpoint {
        let ep = &app.endpoints[e.endpoint];
        match &ep.info {
            Some(info) => {
                lines.push(field("Product", info.product.label().to_string()));
                lines.push(field("URL", info.url.clone()));
                lines.push(field("User", info.user.clone()));
                lines.push(field("API version", info.api_version.clone()));
            }
            None => lines.push(field("Connection", "not connected".to_string())),
        }
        if ep.insecure {
            lines.push(Line::styled(
                "  TLS verification is OFF for this endpoint (--insecure)",
                t.style(Role::Error),
            ));
        }
    }
    if app.selected.is_some_and(|s| app.is_all_snapshots(s)) {
        lines.push(Line::raw(""));
        lines.push(Line::styled("Endpoints", t.style(Role::Section)));
        for (k, v) in app.all_snapshots_report() {
            lines.push(field(&k, v));
        }
    }
    let state = match &e.load {
        Load::NotLoaded => "not loaded (Enter loads)".to_string(),
        Load::Loading { total, .. } => match total {
            Some(n) => format!("loading {}/{n}", e.children.len()),
            None => format!("loading ({} so far)", e.children.len()),
        },
        Load::Loaded => format!("{} loaded", e.children.len()),
        Load::Failed(msg) => format!("failed: {msg}"),
    };
    lines.push(field("Children", state));
    if let Load::Failed(_) = e.load {
        lines.push(Line::raw(""));
        lines.push(Line::styled("Ctrl-R retries.", t.style(Role::Muted)));
    }
    lines
}
