//! Rendering only: each pane reads `&App` and draws; nothing here changes state.

mod command;
mod detail;
mod dialog;
mod form;
pub mod help;
mod password;
mod status;
pub mod table;
mod tasks;
mod tree;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::app::layout::{self, MIN_HEIGHT, MIN_WIDTH};
use crate::app::{App, Overlay, Pane};
use crate::theme::Role;

pub fn draw(app: &App, f: &mut Frame) {
    let area = f.area();
    if layout::too_small(area.width, area.height) {
        too_small(app, f, area);
        return;
    }
    let areas = layout::areas_with(area, app.zoomed.then_some(app.focus));
    // A zoomed-away pane has no room and is not drawn.
    if !areas.tree.is_empty() {
        match &app.table {
            Some(table) => table::draw(app, f, areas.tree, table),
            None => tree::draw(app, f, areas.tree),
        }
    }
    if !areas.detail.is_empty() {
        detail::draw(app, f, areas.detail);
    }
    if !areas.tasks.is_empty() {
        tasks::draw(app, f, areas.tasks);
    }
    status::draw(app, f, areas.status);
    if app.command.open {
        command::draw(app, f, areas.status);
    }
    match &app.overlay {
        Some(Overlay::Help { scroll }) => help::draw(app, f, *scroll),
        Some(Overlay::Dialog(d)) => dialog::draw(app, f, d),
        Some(Overlay::Password(p)) => password::draw(app, f, p),
        None => {}
    }
}

fn too_small(app: &App, f: &mut Frame, area: Rect) {
    let msg = format!(
        "Terminal too small: {}×{}. vnav needs at least {MIN_WIDTH}×{MIN_HEIGHT}. \
         Enlarge the window, or press q to quit.",
        area.width, area.height
    );
    let y = area.height / 2;
    let r = Rect::new(
        area.x,
        area.y + y.saturating_sub(1),
        area.width,
        area.height.min(3),
    );
    f.render_widget(
        Paragraph::new(Line::styled(msg, app.theme.style(Role::Warn)))
            .wrap(Wrap { trim: true })
            .centered(),
        r,
    );
}

/// A bordered pane whose border shows whether it has the focus.
pub(crate) fn pane_block(app: &App, pane: Pane, title: String) -> Block<'static> {
    let focused = app.focus == pane && app.overlay.is_none();
    let border = if focused {
        Role::BorderFocused
    } else {
        Role::Border
    };
    Block::default()
        .borders(Borders::ALL)
        .border_style(app.theme.style(border))
        .title(Line::styled(title, app.theme.style(Role::Title)))
}

/// A rectangle of at most `w`×`h` centred in `area`.
pub(crate) fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}
