//! The query service's FIQL filters: `attr==v`, `!=`, `=gt=`/`=ge=`/`=lt=`/`=le=`, `*` wildcards,
//! `;` for AND (binds tighter), `,` for OR, parentheses for grouping.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Debug, PartialEq)]
pub enum Expr {
    Cond {
        attr: String,
        cmp: Cmp,
        value: String,
    },
    And(Vec<Expr>),
    Or(Vec<Expr>),
}

const OPERATORS: &[(&str, Cmp)] = &[
    ("==", Cmp::Eq),
    ("!=", Cmp::Ne),
    ("=gt=", Cmp::Gt),
    ("=ge=", Cmp::Ge),
    ("=lt=", Cmp::Lt),
    ("=le=", Cmp::Le),
];

struct Parser<'a> {
    s: &'a str,
    pos: usize,
    depth: usize,
}

/// Parentheses nest at most this deep, so a hostile filter cannot exhaust the stack.
const MAX_DEPTH: usize = 32;

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.s[self.pos..].chars().next()
    }
    fn or(&mut self) -> Result<Expr, String> {
        let mut items = vec![self.and()?];
        while self.peek() == Some(',') {
            self.pos += 1;
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::Or(items)
        })
    }
    fn and(&mut self) -> Result<Expr, String> {
        let mut items = vec![self.primary()?];
        while self.peek() == Some(';') {
            self.pos += 1;
            items.push(self.primary()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::And(items)
        })
    }
    fn primary(&mut self) -> Result<Expr, String> {
        if self.peek() == Some('(') {
            self.pos += 1;
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                return Err(format!("parentheses nest deeper than {MAX_DEPTH}"));
            }
            let e = self.or()?;
            self.depth -= 1;
            if self.peek() != Some(')') {
                return Err(format!("missing ')' at position {}", self.pos));
            }
            self.pos += 1;
            return Ok(e);
        }
        let rest = &self.s[self.pos..];
        let attr_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .unwrap_or(rest.len());
        if attr_len == 0 {
            return Err(format!(
                "expected an attribute name at position {}",
                self.pos
            ));
        }
        let attr = rest[..attr_len].to_string();
        let after = &rest[attr_len..];
        let Some((op, cmp)) = OPERATORS.iter().find(|(op, _)| after.starts_with(op)) else {
            return Err(format!("expected a comparison after '{attr}'"));
        };
        let value_start = attr_len + op.len();
        let value_len = rest[value_start..]
            .find([',', ';', ')'])
            .unwrap_or(rest.len() - value_start);
        let value = rest[value_start..value_start + value_len].to_string();
        self.pos += value_start + value_len;
        Ok(Expr::Cond {
            attr,
            cmp: *cmp,
            value,
        })
    }
}

pub fn parse(s: &str) -> Result<Expr, String> {
    let mut p = Parser {
        s,
        pos: 0,
        depth: 0,
    };
    let e = p.or()?;
    if p.pos != s.len() {
        return Err(format!(
            "unexpected '{}' at position {}",
            &s[p.pos..],
            p.pos
        ));
    }
    Ok(e)
}

impl Expr {
    pub fn attrs(&self, out: &mut Vec<String>) {
        match self {
            Expr::Cond { attr, .. } => out.push(attr.clone()),
            Expr::And(v) | Expr::Or(v) => v.iter().for_each(|e| e.attrs(out)),
        }
    }

    /// `get` yields the record's value for an attribute (`None`: the record has no such value).
    pub fn matches(&self, get: &dyn Fn(&str) -> Option<String>) -> bool {
        match self {
            Expr::And(v) => v.iter().all(|e| e.matches(get)),
            Expr::Or(v) => v.iter().any(|e| e.matches(get)),
            Expr::Cond { attr, cmp, value } => {
                let actual = get(attr).unwrap_or_default();
                match cmp {
                    Cmp::Eq => glob(value, &actual),
                    Cmp::Ne => !glob(value, &actual),
                    _ => {
                        let ord = match (actual.parse::<f64>(), value.parse::<f64>()) {
                            (Ok(a), Ok(b)) => a.partial_cmp(&b),
                            _ => Some(actual.as_str().cmp(value.as_str())),
                        };
                        use std::cmp::Ordering::*;
                        matches!(
                            (cmp, ord),
                            (Cmp::Gt, Some(Greater))
                                | (Cmp::Ge, Some(Greater | Equal))
                                | (Cmp::Lt, Some(Less))
                                | (Cmp::Le, Some(Less | Equal))
                        )
                    }
                }
            }
        }
    }
}

impl Expr {
    /// The exact value (no `*`) an `attr==value` condition gives, alone or in an AND: the one
    /// object a client asks about.
    pub fn equals(&self, name: &str) -> Option<&str> {
        match self {
            Expr::Cond {
                attr,
                cmp: Cmp::Eq,
                value,
            } if attr == name && !value.contains('*') => Some(value),
            Expr::And(v) => v.iter().find_map(|e| e.equals(name)),
            _ => None,
        }
    }
}

/// Case-insensitive match where `*` stands for any run of characters.
pub fn glob(pattern: &str, text: &str) -> bool {
    // ASCII (every name and value the simulator makes) is matched in place: a filtered query
    // of 100,000 VMs asks this once a VM, and lowered copies were most of its cost.
    if pattern.is_ascii() && text.is_ascii() {
        return glob_in(pattern.as_bytes(), text.as_bytes(), b'*', |a, b| {
            a.eq_ignore_ascii_case(&b)
        });
    }
    let lower = |s: &str| s.to_lowercase().chars().collect::<Vec<char>>();
    glob_in(&lower(pattern), &lower(text), '*', |a, b| a == b)
}

fn glob_in<T: Copy + PartialEq>(p: &[T], t: &[T], star: T, same: impl Fn(T, T) -> bool) -> bool {
    let (mut pi, mut ti, mut at, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && p[pi] != star && same(p[pi], t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == star {
            at = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(sp) = at {
            pi = sp + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == star)
}

#[cfg(test)]
mod props {
    use proptest::prelude::*;

    use super::*;

    /// The record every generated filter is evaluated against.
    fn record(attr: &str) -> Option<String> {
        match attr {
            "a" => Some("apple".into()),
            "b" => Some("Banana".into()),
            _ => None,
        }
    }

    /// A condition as text, and whether the record meets it.
    fn leaf() -> impl Strategy<Value = (String, bool)> {
        let patterns = prop::sample::select(vec!["apple", "app*", "*an*", "banana", "x*", "", "*"]);
        (
            prop::sample::select(vec!["a", "b", "c"]),
            patterns,
            any::<bool>(),
        )
            .prop_map(|(attr, pattern, eq)| {
                let hit = glob(pattern, &record(attr).unwrap_or_default());
                let op = if eq { "==" } else { "!=" };
                (format!("{attr}{op}{pattern}"), hit == eq)
            })
    }

    fn expr() -> impl Strategy<Value = (String, bool)> {
        leaf().prop_recursive(4, 24, 4, |inner| {
            let joined = |sep: &'static str, all: bool| {
                move |v: Vec<(String, bool)>| {
                    let text: Vec<&str> = v.iter().map(|(t, _)| t.as_str()).collect();
                    let value = if all {
                        v.iter().all(|(_, b)| *b)
                    } else {
                        v.iter().any(|(_, b)| *b)
                    };
                    (format!("({})", text.join(sep)), value)
                }
            };
            prop_oneof![
                prop::collection::vec(inner.clone(), 2..4).prop_map(joined(";", true)),
                prop::collection::vec(inner, 2..4).prop_map(joined(",", false)),
            ]
        })
    }

    proptest! {
        /// Whatever a client sends, the parser answers Ok or Err, never panics.
        #[test]
        fn any_text_parses_or_is_refused(s in "\\PC{0,64}") {
            let _ = parse(&s);
        }

        /// A well-formed filter parses, and evaluates as AND/OR of its conditions say.
        #[test]
        fn generated_filters_evaluate_as_written((text, expected) in expr()) {
            let e = parse(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
            prop_assert_eq!(e.matches(&record), expected, "{}", text);
        }

        /// However deep the parentheses, the parser answers (deep ones are refused).
        #[test]
        fn deep_nesting_is_refused_not_overflowed(depth in 0usize..100_000) {
            let text = format!("{}a==b{}", "(".repeat(depth), ")".repeat(depth));
            prop_assert_eq!(parse(&text).is_ok(), depth <= MAX_DEPTH);
        }

        /// Matched in place (ASCII) or through lowered characters, the answer is the same.
        #[test]
        fn glob_in_place_agrees_with_lowered_chars(pattern in "[a-cA-C*?]{0,6}", text in "[a-cA-C*?]{0,10}") {
            let lower = |s: &str| s.to_lowercase().chars().collect::<Vec<char>>();
            let slow = glob_in(&lower(&pattern), &lower(&text), '*', |a, b| a == b);
            prop_assert_eq!(glob(&pattern, &text), slow);
        }

        /// `*` stands for any run: `*x*` is a case-insensitive substring test.
        #[test]
        fn glob_star_is_substring(needle in "[a-zA-Z]{0,5}", hay in "[a-zA-Z]{0,12}") {
            let found = hay.to_lowercase().contains(&needle.to_lowercase());
            prop_assert_eq!(glob(&format!("*{needle}*"), &hay), found);
        }
    }
}
