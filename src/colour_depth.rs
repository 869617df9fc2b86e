//! How many colours the terminal shows, and a theme colour brought down to the nearest one it
//! has: an old SSH console, `TERM=linux` or `screen` gets the 16 named colours and never an RGB
//! escape it would misdraw; `NO_COLOR` or `TERM=dumb` gets none.

use ratatui::style::Color;
use serde::Deserialize;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
pub enum ColourDepth {
    /// 24-bit RGB as the theme says.
    #[default]
    #[serde(rename = "truecolor")]
    #[value(name = "truecolor", alias = "24bit")]
    TrueColour,
    /// The xterm 256-colour palette.
    #[serde(rename = "256")]
    #[value(name = "256")]
    Ansi256,
    /// The 16 named ANSI colours.
    #[serde(rename = "16")]
    #[value(name = "16")]
    Ansi16,
    /// No colour: emphasis by weight, underline and reverse only.
    #[serde(rename = "none")]
    #[value(name = "none")]
    None,
}

impl ColourDepth {
    /// What the environment says: `NO_COLOR` set and not empty → none (no-color.org);
    /// `COLORTERM` truecolor/24bit → RGB; a `TERM` naming 256 colours → 256; `TERM=dumb` →
    /// none; anything else (linux, screen, vt100, xterm, unset) → 16.
    pub fn detect(var: impl Fn(&str) -> Option<String>) -> ColourDepth {
        if var("NO_COLOR").is_some_and(|v| !v.is_empty()) {
            return ColourDepth::None;
        }
        let colorterm = var("COLORTERM").unwrap_or_default().to_lowercase();
        if colorterm == "truecolor" || colorterm == "24bit" {
            return ColourDepth::TrueColour;
        }
        let term = var("TERM").unwrap_or_default();
        if term.contains("256color") {
            ColourDepth::Ansi256
        } else if term == "dumb" {
            ColourDepth::None
        } else {
            ColourDepth::Ansi16
        }
    }

    /// The depth of this process's terminal.
    pub fn from_env() -> ColourDepth {
        ColourDepth::detect(|k| std::env::var(k).ok())
    }

    /// `colour` brought to this depth: the nearest colour the terminal has. Named colours and
    /// `Reset` are on every terminal that has colour; `None` leaves only `Reset`.
    pub fn fit(self, colour: Color) -> Color {
        match self {
            ColourDepth::TrueColour => colour,
            ColourDepth::None => Color::Reset,
            ColourDepth::Ansi256 => match colour {
                Color::Rgb(r, g, b) => Color::Indexed(nearest_256((r, g, b))),
                c => c,
            },
            ColourDepth::Ansi16 => match colour {
                Color::Rgb(r, g, b) => nearest_16((r, g, b)),
                Color::Indexed(i) => nearest_16(indexed_rgb(i)),
                c => c,
            },
        }
    }
}

/// The 16 named colours with xterm's default values.
const NAMED: [(Color, (u8, u8, u8)); 16] = [
    (Color::Black, (0, 0, 0)),
    (Color::Red, (205, 0, 0)),
    (Color::Green, (0, 205, 0)),
    (Color::Yellow, (205, 205, 0)),
    (Color::Blue, (0, 0, 238)),
    (Color::Magenta, (205, 0, 205)),
    (Color::Cyan, (0, 205, 205)),
    (Color::Gray, (229, 229, 229)),
    (Color::DarkGray, (127, 127, 127)),
    (Color::LightRed, (255, 0, 0)),
    (Color::LightGreen, (0, 255, 0)),
    (Color::LightYellow, (255, 255, 0)),
    (Color::LightBlue, (92, 92, 255)),
    (Color::LightMagenta, (255, 0, 255)),
    (Color::LightCyan, (0, 255, 255)),
    (Color::White, (255, 255, 255)),
];

/// Squared distance weighted by how the eye sees red, green and blue ("redmean").
fn distance(a: (u8, u8, u8), b: (u8, u8, u8)) -> u32 {
    let rmean = (u32::from(a.0) + u32::from(b.0)) / 2;
    let d = |x: u8, y: u8| (i32::from(x) - i32::from(y)).unsigned_abs().pow(2);
    ((512 + rmean) * d(a.0, b.0)) / 256 + 4 * d(a.1, b.1) + ((767 - rmean) * d(a.2, b.2)) / 256
}

fn nearest_16(rgb: (u8, u8, u8)) -> Color {
    NAMED
        .iter()
        .min_by_key(|(_, v)| distance(rgb, *v))
        .map(|(c, _)| *c)
        .unwrap_or(Color::Reset)
}

/// The six levels of each axis of the 256-colour cube.
const CUBE: [u8; 6] = [0, 95, 135, 175, 215, 255];

/// An index of the 256-colour palette as RGB.
fn indexed_rgb(i: u8) -> (u8, u8, u8) {
    match i {
        0..=15 => NAMED[usize::from(i)].1,
        16..=231 => {
            let i = i - 16;
            (
                CUBE[usize::from(i / 36)],
                CUBE[usize::from(i / 6 % 6)],
                CUBE[usize::from(i % 6)],
            )
        }
        _ => {
            let v = 8 + 10 * (i - 232);
            (v, v, v)
        }
    }
}

/// The nearest of the cube (16–231) and the grey ramp (232–255); the first 16 are left out
/// because terminals redefine them.
fn nearest_256(rgb: (u8, u8, u8)) -> u8 {
    (16..=255u8)
        .min_by_key(|i| distance(rgb, indexed_rgb(*i)))
        .unwrap_or(16)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn detects_the_depth_from_the_environment() {
        use ColourDepth::*;
        let cases: &[(&[(&str, &str)], ColourDepth)] = &[
            (&[("COLORTERM", "truecolor"), ("TERM", "xterm")], TrueColour),
            (&[("COLORTERM", "24bit")], TrueColour),
            (&[("TERM", "xterm-256color")], Ansi256),
            (&[("TERM", "screen-256color")], Ansi256),
            (&[("TERM", "linux")], Ansi16),
            (&[("TERM", "screen")], Ansi16),
            (&[("TERM", "vt100")], Ansi16),
            (&[], Ansi16),
            (&[("TERM", "dumb")], None),
            (&[("NO_COLOR", "1"), ("COLORTERM", "truecolor")], None),
            // no-color.org: an empty NO_COLOR is not set.
            (&[("NO_COLOR", ""), ("TERM", "xterm-256color")], Ansi256),
        ];
        for (vars, want) in cases {
            assert_eq!(ColourDepth::detect(env(vars)), *want, "{vars:?}");
        }
    }

    #[test]
    fn sixteen_colours_take_the_nearest_named_one() {
        let d = ColourDepth::Ansi16;
        assert_eq!(d.fit(Color::Rgb(250, 5, 5)), Color::LightRed);
        assert_eq!(d.fit(Color::Rgb(0, 0, 0)), Color::Black);
        assert_eq!(d.fit(Color::Rgb(0x26, 0x4f, 0x78)), Color::DarkGray);
        assert_eq!(d.fit(Color::Rgb(0xff, 0x87, 0x00)), Color::Yellow);
        assert_eq!(d.fit(Color::Indexed(196)), Color::LightRed);
        assert_eq!(d.fit(Color::Indexed(4)), Color::Blue);
        // Named colours and the terminal's own stay as they are.
        assert_eq!(d.fit(Color::Cyan), Color::Cyan);
        assert_eq!(d.fit(Color::Reset), Color::Reset);
    }

    #[test]
    fn no_rgb_survives_sixteen_colours() {
        for r in (0..=255u8).step_by(17) {
            for g in (0..=255u8).step_by(51) {
                for b in (0..=255u8).step_by(85) {
                    let c = ColourDepth::Ansi16.fit(Color::Rgb(r, g, b));
                    assert!(NAMED.iter().any(|(n, _)| *n == c), "{c:?}");
                }
            }
        }
    }

    #[test]
    fn two_hundred_fifty_six_colours_take_the_cube_or_the_greys() {
        let d = ColourDepth::Ansi256;
        assert_eq!(d.fit(Color::Rgb(255, 0, 0)), Color::Indexed(196));
        assert_eq!(d.fit(Color::Rgb(0x3a, 0x3a, 0x3a)), Color::Indexed(237));
        assert_eq!(d.fit(Color::Rgb(0xff, 0x87, 0x00)), Color::Indexed(208));
        assert_eq!(d.fit(Color::Green), Color::Green);
        assert_eq!(
            ColourDepth::TrueColour.fit(Color::Rgb(1, 2, 3)),
            Color::Rgb(1, 2, 3)
        );
        assert_eq!(ColourDepth::None.fit(Color::Red), Color::Reset);
    }
}
