//! The detail pane: the selected entity's sections and links, or its raw payload.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Sparkline};
use unicode_width::UnicodeWidthStr;

use crate::api::model::{RawFormat, Series};
use crate::app::detail_links::{link_widths, short_type};
use crate::app::detail_table::{BELOW_INDENT, layout};
use crate::app::{
    App, DetailRow, DetailState, LINK_UNDER_INDENT, LocalRow, Pane, detail_rows, key_width,
};
use crate::theme::Role;

use super::pane_block;

pub fn draw(app: &App, f: &mut Frame, area: Rect) {
    let entry = app.detail.entry.map(|id| app.tree.get(id));
    let mut tail = String::new();
    if app.detail.raw {
        tail.push_str("[raw] ");
    }
    if app.detail.searching || !app.detail.search.is_empty() {
        let n = app.raw_matches().len();
        tail.push_str(&format!("/{} ({n} lines) ", app.detail.search));
    }
    if app.detail.is_updating() {
        tail.push_str(&format!("{} updating ", app.spinner()));
    }
    // A long name (an alert's definition) is cut with "…" so its kind and the state after
    // it stay in the border, not the name's end cut off by the corner.
    let title = match entry {
        Some(e) => {
            let rest = format!(" · {} {tail}", e.node.kind.label());
            let room = (area.width as usize).saturating_sub(2 + 1 + rest.width() + 1);
            let name = super::table::cell(&e.node.name, room as u16);
            format!(" {}{rest}", name.trim_end())
        }
        None => format!(" Detail {tail}"),
    };
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
        DetailState::Loading => {
            lines.extend(app.known_rows(id).into_iter().map(|r| local(app, r)));
            lines.push(Line::styled(
                match app.detail_waited() {
                    Some(w) => format!("{} loading… {w} (Ctrl-R retries)", app.spinner()),
                    None => format!("{} loading…", app.spinner()),
                },
                t.style(Role::Busy),
            ))
        }
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
                .map(|l| searched(app, raw_line(app, l, d.raw.format))),
        ),
        DetailState::Loaded(d) => {
            let key_w = key_width(d, inner.width as usize);
            // Links line up in three columns: rel, short type, then the name or href.
            let (rel_w, type_w) = link_widths(&d.links);
            // Where each sparkline goes: (line on screen, column, series); drawn over the text.
            let mut sparks: Vec<(usize, usize, &Series)> = Vec::new();
            let picked = app.detail.pick;
            let focused = app.focus == Pane::Detail;
            for r in detail_rows(d, inner.width as usize)
                .into_iter()
                .skip(skip)
                .take(room)
            {
                let line = match r {
                    DetailRow::Title(s) => Line::styled(s.to_string(), t.style(Role::Section)),
                    DetailRow::Field(k, v) => Line::from(vec![
                        Span::styled(format!("  {k:<key_w$}  "), t.style(Role::Muted)),
                        Span::raw(v),
                    ]),
                    DetailRow::Note(text) => {
                        Line::styled(format!("  {text}"), t.style(Role::Muted))
                    }
                    DetailRow::Blank => Line::raw(""),
                    DetailRow::Link {
                        link,
                        first,
                        under,
                        text,
                    } => {
                        let (rel, ty) = match first {
                            true => (link.rel.as_str(), short_type(&link.media_type)),
                            false => ("", ""),
                        };
                        match under && !first {
                            true => Line::raw(format!("{:LINK_UNDER_INDENT$}{text}", "")),
                            false => Line::from(vec![
                                Span::styled(format!("  {rel:<rel_w$}  "), t.style(Role::Accent)),
                                Span::styled(format!("{ty:<type_w$}  "), t.style(Role::Muted)),
                                Span::raw(text),
                            ]),
                        }
                    }
                    DetailRow::Header(table) => {
                        let l = layout(table, inner.width as usize);
                        // Columns drawn under the rows are not headed beside them.
                        let (cells, widths): (Vec<&str>, Vec<usize>) = (l.beside())
                            .filter_map(|i| Some((table.columns.get(i)?.as_str(), l.widths[i])))
                            .unzip();
                        let cells = cells.into_iter();
                        Line::from(cells_spans(cells, &widths, |_| t.style(Role::Muted)))
                    }
                    DetailRow::Cells {
                        table,
                        row,
                        target,
                        last,
                    } => {
                        let l = layout(table, inner.width as usize);
                        let r = &table.rows[row];
                        // The first cell (criticality, colour) in the row's health colour.
                        let health = r.health.map(|h| t.health(h)).unwrap_or_default();
                        let n = r.cells.len();
                        let cell = |i: usize| match i + 1 == n {
                            true => last.as_str(),
                            false => r.cells[i].as_str(),
                        };
                        // A row of every column: those the layout keeps beside; a shorter one
                        // as it is.
                        let (cells, widths): (Vec<&str>, Vec<usize>) = match n == l.widths.len() {
                            true => l.beside().map(|i| (cell(i), l.widths[i])).unzip(),
                            false => (0..n)
                                .filter(|i| !l.under.contains(i))
                                .map(|i| (cell(i), l.widths[i]))
                                .unzip(),
                        };
                        let line = Line::from(cells_spans(cells.into_iter(), &widths, |i| {
                            if i == 0 { health } else { Style::new() }
                        }));
                        picked_style(line, target == Some(picked), focused, t)
                    }
                    DetailRow::More {
                        table,
                        target,
                        text,
                        ..
                    } => {
                        let l = layout(table, inner.width as usize);
                        let line = match l.below {
                            // Under the row, indented: its own lines.
                            true => Line::from(format!("{:BELOW_INDENT$}{text}", "")),
                            // Under the last column: the others left blank.
                            false => {
                                let blank = l.widths.len().saturating_sub(1);
                                let cells = std::iter::repeat_n("", blank).chain([text.as_str()]);
                                Line::from(cells_spans(cells, &l.widths, |_| Style::new()))
                            }
                        };
                        picked_style(line, target == Some(picked), focused, t)
                    }
                    DetailRow::Series(series) => {
                        let latest = match series.latest() {
                            Some(v) if series.unit == "%" => format!("{v:>6.1} %   "),
                            Some(v) => format!("{v:>6.0} {:<4}", series.unit),
                            None => format!("{:>6} {:<4}", "–", ""),
                        };
                        let lead = format!("  {:<key_w$}  {latest} ", series.label);
                        sparks.push((shown.len(), lead.width(), series));
                        Line::from(vec![Span::styled(lead, t.style(Role::Muted))])
                    }
                };
                shown.push(line);
            }
            let n = shown.len();
            f.render_widget(Paragraph::new(shown), inner);
            for (y, x, series) in sparks {
                let width = (inner.width as usize).saturating_sub(x);
                if y >= n || width == 0 {
                    continue;
                }
                // Hundredths, so a 0–100 % series keeps its detail as whole numbers.
                let data: Vec<u64> = series
                    .fit(width)
                    .iter()
                    .map(|v| (v.max(0.0) * 100.0).round() as u64)
                    .collect();
                let top = match series.unit.as_str() {
                    "%" => 100 * 100,
                    _ => data.iter().copied().max().unwrap_or(0),
                };
                // Anything above zero shows at least the lowest bar: a VM at 5 % CPU is not
                // idle.
                let data: Vec<u64> = data
                    .into_iter()
                    .map(|v| if v > 0 { v.max(top / 8 + 1) } else { 0 })
                    .collect();
                let spark = Sparkline::default()
                    .data(&data)
                    .max(top)
                    .style(t.style(Role::Accent));
                let area = Rect {
                    x: inner.x + x as u16,
                    y: inner.y + y as u16,
                    width: width as u16,
                    height: 1,
                };
                f.render_widget(spark, area);
            }
            return;
        }
        _ => {}
    }
    f.render_widget(Paragraph::new(shown), inner);
}

/// A row that leads somewhere, picked (`n`/`N`), in the selection's colours.
fn picked_style<'a>(
    line: Line<'a>,
    picked: bool,
    focused: bool,
    t: &crate::theme::Theme,
) -> Line<'a> {
    match picked {
        true => line.style(t.style(if focused {
            Role::Selection
        } else {
            Role::SelectionUnfocused
        })),
        false => line,
    }
}

/// Cells padded to their column, two spaces apart, styled by column. A cell wider than its
/// column is cut with "…" so the columns after it stay aligned; the last comes wrapped to its
/// column (`detail_rows`).
fn cells_spans<'a>(
    cells: impl Iterator<Item = &'a str>,
    widths: &[usize],
    style: impl Fn(usize) -> Style,
) -> Vec<Span<'static>> {
    let mut spans = vec![Span::raw("  ")];
    for (i, c) in cells.enumerate() {
        let w = widths.get(i).copied().unwrap_or(0);
        let c = match i + 1 < widths.len() && c.width() > w {
            true => cut(c, w),
            false => c.to_string(),
        };
        spans.push(Span::styled(format!("{c:<w$}  "), style(i)));
    }
    spans
}

/// `s` cut to `w` columns, its last one an ellipsis.
fn cut(s: &str, w: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let mut out = String::new();
    let mut used = 0;
    for ch in s.chars() {
        let cw = ch.width().unwrap_or(0);
        if used + cw + 1 > w {
            break;
        }
        used += cw;
        out.push(ch);
    }
    out.push('…');
    out
}

/// `application/vnd.vmware.vcloud.vm+xml` → `vm`.
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

/// The searched text in a raw line drawn in the match style, so the eye finds it.
fn searched<'a>(app: &App, line: Line<'a>) -> Line<'a> {
    let needle = app.detail.search.to_lowercase();
    if needle.is_empty() {
        return line;
    }
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    let lower = text.to_lowercase();
    // Lower-casing can change byte lengths outside ASCII: then the line is left as it is.
    if lower.len() != text.len() || !lower.contains(&needle) {
        return line;
    }
    let style = app.theme.style(Role::Match);
    let mut spans = Vec::new();
    let mut at = 0;
    for (i, _) in lower.match_indices(&needle) {
        if i < at {
            continue;
        }
        spans.push(Span::raw(text[at..i].to_string()));
        spans.push(Span::styled(text[i..i + needle.len()].to_string(), style));
        at = i + needle.len();
    }
    spans.push(Span::raw(text[at..].to_string()));
    Line::from(spans)
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
