//! Screen geometry, shared by the app (page sizes, scrolling) and the views (where to draw).

use ratatui::layout::Rect;

pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 20;
/// Below this width the detail pane is dropped and the tree takes the row.
pub const DETAIL_WIDTH: u16 = 80;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Areas {
    pub tree: Rect,
    pub detail: Rect,
    pub tasks: Rect,
    pub status: Rect,
}

pub fn too_small(width: u16, height: u16) -> bool {
    width < MIN_WIDTH || height < MIN_HEIGHT
}

/// Tree on the left, detail on the right, tasks below both, one status line at the bottom.
pub fn areas(area: Rect) -> Areas {
    let status_h = 1;
    let tasks_h = (area.height / 4).clamp(6, 12);
    let main_h = area.height.saturating_sub(status_h + tasks_h);
    let tree_w = if area.width < DETAIL_WIDTH {
        area.width
    } else {
        (area.width * 45 / 100).max(32).min(area.width)
    };
    Areas {
        tree: Rect::new(area.x, area.y, tree_w, main_h),
        detail: Rect::new(area.x + tree_w, area.y, area.width - tree_w, main_h),
        tasks: Rect::new(area.x, area.y + main_h, area.width, tasks_h),
        status: Rect::new(area.x, area.y + main_h + tasks_h, area.width, status_h),
    }
}

/// The areas with one pane zoomed to the whole screen but the status line (`z`); the others
/// get no room and are not drawn.
pub fn areas_with(area: Rect, zoom: Option<super::Pane>) -> Areas {
    let Some(pane) = zoom else {
        return areas(area);
    };
    let status_h = 1.min(area.height);
    let main = Rect::new(area.x, area.y, area.width, area.height - status_h);
    let none = Rect::new(area.x, area.y, 0, 0);
    let pick = |p| if p == pane { main } else { none };
    Areas {
        tree: pick(super::Pane::Tree),
        detail: pick(super::Pane::Detail),
        tasks: pick(super::Pane::Tasks),
        status: Rect::new(area.x, area.y + main.height, area.width, status_h),
    }
}

/// Rows inside a bordered pane.
pub fn inner_height(r: Rect) -> usize {
    r.height.saturating_sub(2) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panes_tile_the_screen() {
        let a = areas(Rect::new(0, 0, 80, 24));
        assert_eq!(a.tree.width + a.detail.width, 80);
        assert_eq!(a.tree.height + a.tasks.height + a.status.height, 24);
        assert!(inner_height(a.tree) >= 14);
    }

    /// Issue 17: down to 60×20 vnav works, without the detail pane below 80 columns.
    #[test]
    fn a_narrow_screen_drops_the_detail_pane() {
        let a = areas(Rect::new(0, 0, 60, 20));
        assert_eq!(a.tree.width, 60);
        assert!(a.detail.is_empty());
        assert!(inner_height(a.tree) >= 9 && inner_height(a.tasks) >= 4);
        assert!(!too_small(60, 20) && too_small(59, 20) && too_small(60, 19));
    }
}
