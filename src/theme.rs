//! Themes: semantic roles (ok, warn, error, muted, accent, …) mapped to styles, loaded from the
//! TOML files embedded from `themes/` or from the user's theme folder. A theme may `extends`
//! another and override only what it changes.

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

use crate::api::model::Severity;
use crate::colour_depth::ColourDepth;

const EMBEDDED: &[(&str, &str)] = &[
    ("default", include_str!("../themes/default.toml")),
    ("light", include_str!("../themes/light.toml")),
    ("mono", include_str!("../themes/mono.toml")),
    ("dark", include_str!("../themes/dark.toml")),
    (
        "high-contrast",
        include_str!("../themes/high-contrast.toml"),
    ),
    ("nord", include_str!("../themes/nord.toml")),
];

/// Every role a view may ask for. Unknown roles in a file are an error, so typos show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    Text,
    Muted,
    Accent,
    Ok,
    Warn,
    Error,
    Busy,
    Border,
    BorderFocused,
    Title,
    Selection,
    SelectionUnfocused,
    Match,
    Mark,
    Key,
    Section,
    StatusBar,
    BadgeReadonly,
    BadgeInsecure,
    Dialog,
    Danger,
    /// Aria Operations' health colours (badges, health dots on rows).
    HealthGreen,
    HealthYellow,
    HealthOrange,
    HealthRed,
    HealthGrey,
}

const ROLES: &[(&str, Role)] = &[
    ("text", Role::Text),
    ("muted", Role::Muted),
    ("accent", Role::Accent),
    ("ok", Role::Ok),
    ("warn", Role::Warn),
    ("error", Role::Error),
    ("busy", Role::Busy),
    ("border", Role::Border),
    ("border_focused", Role::BorderFocused),
    ("title", Role::Title),
    ("selection", Role::Selection),
    ("selection_unfocused", Role::SelectionUnfocused),
    ("match", Role::Match),
    ("mark", Role::Mark),
    ("key", Role::Key),
    ("section", Role::Section),
    ("status_bar", Role::StatusBar),
    ("badge_readonly", Role::BadgeReadonly),
    ("badge_insecure", Role::BadgeInsecure),
    ("dialog", Role::Dialog),
    ("danger", Role::Danger),
    ("health_green", Role::HealthGreen),
    ("health_yellow", Role::HealthYellow),
    ("health_orange", Role::HealthOrange),
    ("health_red", Role::HealthRed),
    ("health_grey", Role::HealthGrey),
];

#[derive(Clone, Debug)]
pub struct Theme {
    pub name: String,
    styles: HashMap<Role, Style>,
    /// The terminal's colours this theme was brought to (`fitted`); a theme switched to
    /// later keeps it.
    depth: ColourDepth,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: Option<String>,
    extends: Option<String>,
    #[serde(default)]
    roles: HashMap<String, StyleSpec>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum StyleSpec {
    Fg(String),
    Full {
        fg: Option<String>,
        bg: Option<String>,
        #[serde(default)]
        bold: bool,
        #[serde(default)]
        italic: bool,
        #[serde(default)]
        underline: bool,
        #[serde(default)]
        reversed: bool,
    },
}

fn color(s: &str) -> Result<Color, String> {
    Color::from_str(s).map_err(|_| format!("unknown colour {s:?}"))
}

impl StyleSpec {
    fn style(&self) -> Result<Style, String> {
        Ok(match self {
            StyleSpec::Fg(fg) => Style::new().fg(color(fg)?),
            StyleSpec::Full {
                fg,
                bg,
                bold,
                italic,
                underline,
                reversed,
            } => {
                let mut s = Style::new();
                if let Some(fg) = fg {
                    s = s.fg(color(fg)?);
                }
                if let Some(bg) = bg {
                    s = s.bg(color(bg)?);
                }
                for (on, m) in [
                    (bold, Modifier::BOLD),
                    (italic, Modifier::ITALIC),
                    (underline, Modifier::UNDERLINED),
                    (reversed, Modifier::REVERSED),
                ] {
                    if *on {
                        s = s.add_modifier(m);
                    }
                }
                s
            }
        })
    }
}

impl Default for Theme {
    fn default() -> Self {
        Theme::load("default", None).expect("embedded default theme is valid")
    }
}

/// The themes in the user's folder (`NAME.toml`), sorted: what `:theme` completes beside the
/// built-in ones. A missing or unreadable folder has none.
pub fn user_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let path = e.path();
            (path.extension()? == "toml").then(|| path.file_stem()?.to_str().map(str::to_string))?
        })
        .collect();
    names.sort();
    names
}

/// The names of the themes built into vnav (`:theme` switches among them).
pub fn builtin_names() -> impl Iterator<Item = &'static str> {
    EMBEDDED.iter().map(|(n, _)| *n)
}

impl Theme {
    /// Loads a theme by name: the user's folder first (`<dir>/<name>.toml`), then the embedded
    /// ones. Errors name the file and the problem.
    pub fn load(name: &str, user_dir: Option<&Path>) -> Result<Theme, String> {
        let mut chain = Vec::new();
        let mut next = Some(name.to_string());
        while let Some(n) = next.take() {
            if chain.iter().any(|(c, _): &(String, ThemeFile)| *c == n) || chain.len() > 8 {
                return Err(format!("theme {n:?} extends itself"));
            }
            let text = read_theme(&n, user_dir)?;
            let file: ThemeFile =
                toml::from_str(&text).map_err(|e| format!("theme {n:?}: {}", e.message()))?;
            next = file.extends.clone();
            chain.push((n, file));
        }
        let mut styles = HashMap::new();
        for (n, file) in chain.iter().rev() {
            for (role_name, spec) in &file.roles {
                let role = ROLES
                    .iter()
                    .find(|(r, _)| r == role_name)
                    .map(|(_, r)| *r)
                    .ok_or_else(|| format!("theme {n:?}: unknown role {role_name:?}"))?;
                let style = spec
                    .style()
                    .map_err(|e| format!("theme {n:?}, role {role_name}: {e}"))?;
                styles.insert(role, style);
            }
        }
        let display = chain
            .first()
            .and_then(|(_, f)| f.name.clone())
            .unwrap_or_else(|| name.to_string());
        Ok(Theme {
            name: display,
            styles,
            depth: ColourDepth::TrueColour,
        })
    }

    /// The theme with every colour taken out, for `NO_COLOR` (no-color.org): only weight,
    /// underline and reverse remain, with the embedded mono theme's emphasis added so the
    /// cursor, errors and matches still stand out.
    pub fn without_colour(&self) -> Theme {
        let mono = Theme::load("mono", None).expect("embedded mono theme is valid");
        let styles = ROLES
            .iter()
            .map(|(_, role)| {
                let own = self.style(*role).add_modifier;
                let plain = mono.style(*role).add_modifier;
                (*role, Style::new().add_modifier(own | plain))
            })
            .collect();
        Theme {
            name: format!("{} (NO_COLOR)", self.name),
            styles,
            depth: ColourDepth::None,
        }
    }

    /// The colours of the terminal this theme was fitted to.
    pub fn depth(&self) -> ColourDepth {
        self.depth
    }

    /// The theme in the colours a terminal of `depth` has: each colour the nearest one there
    /// (`ColourDepth::fit`), none at all for `None` (as `without_colour`). Where a background
    /// that set a role apart (the selection, the status bar) falls onto black, the usual
    /// terminal background, the mono theme's emphasis (reverse, underline, bold) is added so
    /// the selection and marks still show.
    pub fn fitted(&self, depth: ColourDepth) -> Theme {
        match depth {
            ColourDepth::None => return self.without_colour(),
            ColourDepth::TrueColour => {
                return Theme {
                    depth,
                    ..self.clone()
                };
            }
            ColourDepth::Ansi256 | ColourDepth::Ansi16 => {}
        }
        let mono = Theme::load("mono", None).expect("embedded mono theme is valid");
        let styles = self
            .styles
            .iter()
            .map(|(role, s)| {
                let mut fitted = *s;
                fitted.fg = s.fg.map(|c| depth.fit(c));
                fitted.bg = s.bg.map(|c| depth.fit(c));
                fitted.underline_color = s.underline_color.map(|c| depth.fit(c));
                let lost = matches!(s.bg, Some(Color::Rgb(..) | Color::Indexed(_)))
                    && fitted.bg == Some(Color::Black);
                if lost {
                    fitted.bg = None;
                    fitted = fitted.add_modifier(mono.style(*role).add_modifier);
                }
                (*role, fitted)
            })
            .collect();
        Theme {
            name: self.name.clone(),
            styles,
            depth,
        }
    }

    pub fn style(&self, role: Role) -> Style {
        self.styles.get(&role).copied().unwrap_or_default()
    }

    /// The style of a health colour.
    pub fn health(&self, h: crate::api::model::Health) -> Style {
        use crate::api::model::Health;
        self.style(match h {
            Health::Green => Role::HealthGreen,
            Health::Yellow => Role::HealthYellow,
            Health::Orange => Role::HealthOrange,
            Health::Red => Role::HealthRed,
            Health::Unknown => Role::HealthGrey,
        })
    }

    pub fn severity(&self, s: Severity) -> Style {
        self.style(match s {
            Severity::Neutral => Role::Text,
            Severity::Ok => Role::Ok,
            Severity::Warn => Role::Warn,
            Severity::Error => Role::Error,
            Severity::Muted => Role::Muted,
            Severity::Busy => Role::Busy,
        })
    }
}

fn read_theme(name: &str, user_dir: Option<&Path>) -> Result<String, String> {
    if let Some(dir) = user_dir {
        let path = dir.join(format!("{name}.toml"));
        if path.exists() {
            return std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read theme {}: {e}", path.display()));
        }
    }
    EMBEDDED
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| t.to_string())
        .ok_or_else(|| {
            let names: Vec<&str> = EMBEDDED.iter().map(|(n, _)| *n).collect();
            format!("no theme named {name:?} (built in: {})", names.join(", "))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_themes_load_and_define_every_role() {
        for (name, _) in EMBEDDED {
            let t = Theme::load(name, None).unwrap();
            for (role_name, role) in ROLES {
                assert!(t.styles.contains_key(role), "{name} lacks {role_name}");
            }
        }
    }

    /// Issue 17: dark, light, high-contrast and a popular palette (Nord) are built in; each
    /// but `dark` (the default's other name) looks its own.
    #[test]
    fn the_built_in_palettes_differ_where_they_should() {
        let default = Theme::load("default", None).unwrap();
        assert_eq!(
            Theme::load("dark", None).unwrap().style(Role::Selection),
            default.style(Role::Selection)
        );
        for name in ["light", "high-contrast", "nord"] {
            let t = Theme::load(name, None).unwrap();
            assert_ne!(
                t.style(Role::Selection),
                default.style(Role::Selection),
                "{name}"
            );
            assert_eq!(t.name, name);
        }
    }

    #[test]
    fn user_theme_extends_and_overrides() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("mine.toml"),
            "extends = \"default\"\n[roles]\nok = \"#00ff00\"\n",
        )
        .unwrap();
        let t = Theme::load("mine", Some(dir.path())).unwrap();
        assert_eq!(t.style(Role::Ok).fg, Some(Color::Rgb(0, 255, 0)));
        assert_eq!(t.style(Role::Warn), Theme::default().style(Role::Warn));
    }

    #[test]
    fn bad_themes_say_what_is_wrong() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("bad.toml"), "[roles]\nokk = \"red\"\n").unwrap();
        assert!(
            Theme::load("bad", Some(dir.path()))
                .unwrap_err()
                .contains("okk")
        );
        std::fs::write(dir.path().join("loop.toml"), "extends = \"loop\"\n").unwrap();
        assert!(
            Theme::load("loop", Some(dir.path()))
                .unwrap_err()
                .contains("extends itself")
        );
        assert!(Theme::load("nope", None).unwrap_err().contains("built in"));
    }
}
