//! One form model driven by declared parameters (`ParamSpec`): what the user typed per field,
//! how keys edit it (text, toggles, list and key/value rows, a picker over known objects), and
//! the check before submit that turns it into typed values or puts the problem at the field.
//! Used by every form (a workflow's inputs, a new snapshot). Pure: no drawing, no App, so
//! every type's editing and validation is a unit test.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use zeroize::Zeroizing;

use crate::api::model::{ParamSpec, ParamType, ParamValue};

/// One field: its declaration and what the user has entered so far.
#[derive(Clone, Debug)]
pub struct Field {
    pub spec: ParamSpec,
    /// Typed text (string, secure string, number, date, SDK object id). Wiped when dropped:
    /// it may hold a secure string.
    pub text: Zeroizing<String>,
    /// The yes/no toggle.
    pub flag: bool,
    /// The list editor's items.
    pub items: Vec<String>,
    /// The key/value editor's pairs.
    pub pairs: Vec<(String, String)>,
    /// Why the value was refused at the last submit.
    pub error: Option<String>,
    /// The text is vnav's suggestion: typing replaces it rather than adding to it.
    pub suggested: bool,
    /// Which row of a multi-row field the cursor is on: a list's item or pair (its length:
    /// the empty row that adds one), or a picker's text (0) and its matches (1..).
    pub row: usize,
    /// In a key/value row: the value is being edited, not the key.
    pub on_value: bool,
    /// For an SDK object: the known objects of its type (the picker's list).
    pub choices: Vec<Choice>,
    /// The choice picked (an index into `choices`); typing drops it.
    pub picked: Option<usize>,
}

/// An object the picker offers: its id as the server wants it and how the user knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    pub id: String,
    pub name: String,
    /// Where it is ("VM · vcenter-1").
    pub about: String,
}

/// Matches a picker shows at most.
pub const PICK_MAX: usize = 6;

/// What a key did to the form.
#[derive(Debug, PartialEq, Eq)]
pub enum FormKey {
    Stay,
    Cancel,
    /// Enter: the caller submits (and the form may refuse).
    Submit,
}

impl Field {
    fn new(spec: &ParamSpec) -> Self {
        let mut f = Field {
            spec: spec.clone(),
            text: Zeroizing::new(String::new()),
            flag: false,
            items: Vec::new(),
            pairs: Vec::new(),
            error: None,
            suggested: false,
            row: 0,
            on_value: false,
            choices: Vec::new(),
            picked: None,
        };
        match &spec.default {
            Some(ParamValue::Text(s)) => f.text.push_str(s),
            Some(ParamValue::Secret(s)) => f.text.push_str(s.expose()),
            Some(ParamValue::Number(n)) => f.text.push_str(&n.to_string()),
            Some(ParamValue::Bool(b)) => f.flag = *b,
            Some(ParamValue::Date(d)) => f.text.push_str(&d.format(&Rfc3339).unwrap_or_default()),
            Some(ParamValue::List(l)) => f.items = l.clone(),
            Some(ParamValue::Properties(p)) => f.pairs = p.clone(),
            Some(ParamValue::SdkObject { id, .. }) => f.text.push_str(id),
            None => {}
        }
        f
    }

    /// The typed value, None when left empty, or why the input is not one.
    pub fn value(&self) -> Result<Option<ParamValue>, String> {
        let text = self.text.trim();
        let value = match &self.spec.ty {
            ParamType::String if text.is_empty() => None,
            ParamType::String => Some(ParamValue::Text(text.to_string())),
            // A secret is taken as typed: spaces may belong to it.
            ParamType::SecureString if self.text.is_empty() => None,
            ParamType::SecureString => Some(ParamValue::Secret(
                crate::api::model::SecretText::new(self.text.as_str()),
            )),
            ParamType::Number if text.is_empty() => None,
            ParamType::Number => match text.parse::<f64>() {
                Ok(n) if n.is_finite() => Some(ParamValue::Number(n)),
                _ => return Err(format!("\"{text}\" is not a number")),
            },
            ParamType::Boolean => Some(ParamValue::Bool(self.flag)),
            ParamType::Date if text.is_empty() => None,
            ParamType::Date => Some(ParamValue::Date(parse_date(text).ok_or_else(|| {
                format!("\"{text}\" is not a date (2026-12-06 or 2026-12-06T10:00:00Z)")
            })?)),
            ParamType::StringList => {
                let items: Vec<String> = self
                    .items
                    .iter()
                    .map(|i| i.trim().to_string())
                    .filter(|i| !i.is_empty())
                    .collect();
                (!items.is_empty()).then_some(ParamValue::List(items))
            }
            ParamType::Properties => {
                for (i, (k, _)) in self.pairs.iter().enumerate() {
                    if k.trim().is_empty() {
                        return Err(format!("pair {} has no key", i + 1));
                    }
                    if self.pairs[..i].iter().any(|(o, _)| o.trim() == k.trim()) {
                        return Err(format!("key \"{}\" is given twice", k.trim()));
                    }
                }
                (!self.pairs.is_empty()).then(|| {
                    ParamValue::Properties(
                        self.pairs
                            .iter()
                            .map(|(k, v)| (k.trim().to_string(), v.clone()))
                            .collect(),
                    )
                })
            }
            ParamType::SdkObject(ty) => match self.picked_choice() {
                Some(c) => Some(ParamValue::SdkObject {
                    ty: ty.clone(),
                    id: c.id.clone(),
                }),
                None if text.is_empty() => None,
                // Typed: an object's exact name picks it, anything else is taken as an id.
                None => Some(ParamValue::SdkObject {
                    ty: ty.clone(),
                    id: self
                        .choices
                        .iter()
                        .find(|c| c.name.eq_ignore_ascii_case(text))
                        .map_or_else(|| text.to_string(), |c| c.id.clone()),
                }),
            },
            ParamType::Unsupported(ty) if self.spec.mandatory => {
                return Err(format!("vnav cannot enter a value of type {ty}"));
            }
            ParamType::Unsupported(_) => None,
        };
        match &value {
            None if self.spec.mandatory => Err("required".to_string()),
            Some(v) if !self.spec.allowed.is_empty() => {
                let texts: Vec<&str> = match v {
                    ParamValue::Text(s) => vec![s],
                    ParamValue::List(l) => l.iter().map(String::as_str).collect(),
                    ParamValue::Number(_) => vec![text],
                    _ => vec![],
                };
                match texts
                    .into_iter()
                    .find(|t| !self.spec.allowed.iter().any(|a| a == t))
                {
                    Some(bad) => Err(format!(
                        "\"{bad}\" is not one of: {}",
                        self.spec.allowed.join(", ")
                    )),
                    None => Ok(value),
                }
            }
            _ => Ok(value),
        }
    }
}

impl Field {
    pub fn picked_choice(&self) -> Option<&Choice> {
        self.picked.and_then(|i| self.choices.get(i))
    }

    /// The picker's choices the typed text matches (name or id, any case), at most
    /// `PICK_MAX`, as indexes into `choices`.
    pub fn matches(&self) -> Vec<usize> {
        let q = self.text.trim().to_lowercase();
        self.choices
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                q.is_empty()
                    || c.name.to_lowercase().contains(&q)
                    || c.id.to_lowercase().contains(&q)
            })
            .map(|(i, _)| i)
            .take(PICK_MAX)
            .collect()
    }

    /// Rows the field takes while focused (list items and the adding row, pairs and theirs,
    /// the picker's text and its matches).
    pub fn rows(&self) -> usize {
        match &self.spec.ty {
            ParamType::StringList => self.items.len() + 1,
            ParamType::Properties => self.pairs.len() + 1,
            ParamType::SdkObject(_) => 1 + self.matches().len(),
            _ => 1,
        }
    }

    fn edited(&mut self) {
        self.error = None;
    }

    /// Drops vnav's suggestion before the user's first key.
    fn take_suggestion(&mut self) {
        if std::mem::take(&mut self.suggested) {
            self.text.clear();
        }
    }

    fn type_char(&mut self, c: char) {
        self.edited();
        match &self.spec.ty {
            ParamType::Boolean => {
                if c == ' ' {
                    self.flag = !self.flag;
                }
            }
            ParamType::StringList => {
                if self.row >= self.items.len() {
                    self.items.push(String::new());
                    self.row = self.items.len() - 1;
                }
                self.items[self.row].push(c);
            }
            ParamType::Properties => {
                if self.row >= self.pairs.len() {
                    self.pairs.push((String::new(), String::new()));
                    self.row = self.pairs.len() - 1;
                    self.on_value = false;
                }
                let pair = &mut self.pairs[self.row];
                match (self.on_value, c) {
                    // "env=prod" types a pair: the first = moves on to the value.
                    (false, '=') => self.on_value = true,
                    (false, c) => pair.0.push(c),
                    (true, c) => pair.1.push(c),
                }
            }
            ParamType::SdkObject(_) => {
                self.row = 0;
                self.picked = None;
                self.text.push(c);
            }
            _ => {
                self.take_suggestion();
                self.text.push(c);
            }
        }
    }

    fn backspace(&mut self) {
        self.edited();
        match &self.spec.ty {
            ParamType::Boolean => {}
            ParamType::StringList => {
                if let Some(item) = self.items.get_mut(self.row)
                    && item.pop().is_none()
                {
                    self.remove_row();
                }
            }
            ParamType::Properties => {
                if let Some(pair) = self.pairs.get_mut(self.row) {
                    match self.on_value {
                        true if pair.1.pop().is_none() => self.on_value = false,
                        true => {}
                        false if pair.0.pop().is_none() => self.remove_row(),
                        false => {}
                    }
                }
            }
            ParamType::SdkObject(_) => {
                self.row = 0;
                self.picked = None;
                self.text.pop();
            }
            _ => {
                if std::mem::take(&mut self.suggested) {
                    self.text.clear();
                }
                self.text.pop();
            }
        }
    }

    /// Delete / Ctrl-D: the item or pair under the cursor goes; a text field empties.
    fn remove_row(&mut self) {
        self.edited();
        match &self.spec.ty {
            ParamType::StringList if self.row < self.items.len() => {
                self.items.remove(self.row);
            }
            ParamType::Properties if self.row < self.pairs.len() => {
                self.pairs.remove(self.row);
                self.on_value = false;
            }
            ParamType::StringList | ParamType::Properties | ParamType::Boolean => {}
            _ => {
                self.text.clear();
                self.picked = None;
                self.suggested = false;
            }
        }
    }

    /// ←/→: a yes/no flips, a key/value row goes between key and value, a field with allowed
    /// values steps through them.
    fn side(&mut self, forward: bool) {
        match &self.spec.ty {
            ParamType::Boolean => self.flag = !self.flag,
            ParamType::Properties => self.on_value = forward,
            _ if !self.spec.allowed.is_empty() => {
                let n = self.spec.allowed.len();
                let at = self.spec.allowed.iter().position(|a| a == self.text.trim());
                let next = match (at, forward) {
                    (None, true) => 0,
                    (None, false) => n - 1,
                    (Some(i), true) => (i + 1) % n,
                    (Some(i), false) => (i + n - 1) % n,
                };
                self.text.clear();
                self.text.push_str(&self.spec.allowed[next]);
                self.suggested = false;
                self.edited();
            }
            _ => {}
        }
    }

    /// Moved onto another row of this field: a picker's row picks its object.
    fn row_moved(&mut self) {
        if let ParamType::SdkObject(_) = self.spec.ty
            && self.row > 0
        {
            self.picked = self.matches().get(self.row - 1).copied();
            self.edited();
        }
        self.on_value = false;
    }
}

/// "2026-12-06" (midnight UTC) or an RFC 3339 timestamp.
fn parse_date(text: &str) -> Option<OffsetDateTime> {
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(t);
    }
    let day = time::Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()?;
    Some(day.midnight().assume_utc())
}

/// The fields of one form, in declaration order.
#[derive(Clone, Debug)]
pub struct Form {
    pub fields: Vec<Field>,
    pub focus: usize,
}

impl Form {
    pub fn new(params: &[ParamSpec]) -> Self {
        Form {
            fields: params.iter().map(Field::new).collect(),
            focus: 0,
        }
    }

    /// One key: edit the focused field, move between fields and rows, or say the user wants
    /// to submit or leave. Tab/Shift-Tab go field by field, ↑/↓ also through a field's rows.
    pub fn on_key(&mut self, key: KeyEvent) -> FormKey {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if self.fields.is_empty() {
            return match key.code {
                KeyCode::Enter => FormKey::Submit,
                KeyCode::Esc => FormKey::Cancel,
                KeyCode::Char('c') if ctrl => FormKey::Cancel,
                _ => FormKey::Stay,
            };
        }
        let f = &mut self.fields[self.focus];
        match key.code {
            KeyCode::Esc => return FormKey::Cancel,
            KeyCode::Char('c') if ctrl => return FormKey::Cancel,
            KeyCode::Enter => return FormKey::Submit,
            KeyCode::Tab => self.step(true, false),
            KeyCode::BackTab => self.step(false, false),
            KeyCode::Down => self.step(true, true),
            KeyCode::Up => self.step(false, true),
            KeyCode::Left => f.side(false),
            KeyCode::Right => f.side(true),
            KeyCode::Backspace => f.backspace(),
            KeyCode::Delete => f.remove_row(),
            KeyCode::Char('d' | 'u') if ctrl => f.remove_row(),
            KeyCode::Char(c) if !ctrl => f.type_char(c),
            _ => {}
        }
        FormKey::Stay
    }

    /// To the next or previous field, or (`rows`) first through the focused field's rows.
    fn step(&mut self, forward: bool, rows: bool) {
        let n = self.fields.len();
        let f = &mut self.fields[self.focus];
        if rows {
            let last = f.rows() - 1;
            if forward && f.row < last {
                f.row += 1;
                return f.row_moved();
            }
            if !forward && f.row > 0 {
                f.row -= 1;
                return f.row_moved();
            }
        }
        f.on_value = false;
        self.focus = match forward {
            true => (self.focus + 1) % n,
            false => (self.focus + n - 1) % n,
        };
        let f = &mut self.fields[self.focus];
        // Coming up from below by rows lands on the field's last row, as in a list.
        f.row = match (rows, forward) {
            (true, false) => f.rows() - 1,
            _ => 0,
        };
        f.row_moved();
    }

    /// The field named `name`.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.spec.name == name)
    }

    pub fn field_mut(&mut self, name: &str) -> Option<&mut Field> {
        self.fields.iter_mut().find(|f| f.spec.name == name)
    }

    /// Checks every field: the values by parameter name (unset ones absent), or the problems
    /// put at their fields and the focus on the first of them.
    pub fn submit(&mut self) -> Result<Vec<(String, ParamValue)>, usize> {
        let mut values = Vec::new();
        let mut first_bad = None;
        for (i, f) in self.fields.iter_mut().enumerate() {
            match f.value() {
                Ok(v) => {
                    f.error = None;
                    values.extend(v.map(|v| (f.spec.name.clone(), v)));
                }
                Err(e) => {
                    f.error = Some(e);
                    first_bad.get_or_insert(i);
                }
            }
        }
        match first_bad {
            Some(i) => {
                self.focus = i;
                Err(i)
            }
            None => Ok(values),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(ty: ParamType) -> ParamSpec {
        ParamSpec::new("p", ty)
    }

    fn with_text(ty: ParamType, text: &str) -> Field {
        let mut f = Field::new(&spec(ty));
        f.text.push_str(text);
        f
    }

    #[test]
    fn strings_trim_and_empty_means_unset() {
        assert_eq!(
            with_text(ParamType::String, " web ").value(),
            Ok(Some(ParamValue::Text("web".into())))
        );
        assert_eq!(with_text(ParamType::String, "  ").value(), Ok(None));
    }

    #[test]
    fn mandatory_fields_must_be_given() {
        let mut s = spec(ParamType::String);
        s.mandatory = true;
        let mut form = Form::new(&[spec(ParamType::Number), s]);
        assert_eq!(form.submit(), Err(1));
        assert_eq!(form.fields[1].error.as_deref(), Some("required"));
        assert_eq!(form.focus, 1);
        form.fields[1].text.push('x');
        assert_eq!(
            form.submit(),
            Ok(vec![("p".into(), ParamValue::Text("x".into()))])
        );
        assert_eq!(form.fields[1].error, None, "a fixed field loses its error");
    }

    #[test]
    fn secure_strings_are_kept_as_typed_and_masked() {
        let v = with_text(ParamType::SecureString, " s3cr3t ")
            .value()
            .unwrap()
            .unwrap();
        let ParamValue::Secret(s) = &v else {
            panic!("{v:?}")
        };
        assert_eq!(s.expose(), " s3cr3t ");
        assert!(!format!("{v:?}").contains("s3cr3t"));
        assert_eq!(v.masked_json(), serde_json::json!("***"));
    }

    #[test]
    fn numbers_must_parse_and_be_finite() {
        assert_eq!(
            with_text(ParamType::Number, "20.5").value(),
            Ok(Some(ParamValue::Number(20.5)))
        );
        for bad in ["twenty", "NaN", "inf", "1,5"] {
            let e = with_text(ParamType::Number, bad).value().unwrap_err();
            assert!(e.contains("not a number"), "{bad}: {e}");
        }
    }

    #[test]
    fn booleans_are_always_set_and_default_from_the_spec() {
        assert_eq!(
            Field::new(&spec(ParamType::Boolean)).value(),
            Ok(Some(ParamValue::Bool(false)))
        );
        let mut s = spec(ParamType::Boolean);
        s.default = Some(ParamValue::Bool(true));
        assert_eq!(Field::new(&s).value(), Ok(Some(ParamValue::Bool(true))));
    }

    #[test]
    fn dates_take_a_day_or_a_timestamp() {
        let day = with_text(ParamType::Date, "2026-12-06").value().unwrap();
        assert_eq!(
            day,
            Some(ParamValue::Date(
                crate::api::model::parse_time("2026-12-06T00:00:00Z").unwrap()
            ))
        );
        assert!(
            with_text(ParamType::Date, "2026-12-06T10:00:00+01:00")
                .value()
                .unwrap()
                .is_some()
        );
        assert!(
            with_text(ParamType::Date, "06/12/2026")
                .value()
                .unwrap_err()
                .contains("not a date")
        );
    }

    #[test]
    fn lists_drop_blank_items_and_check_allowed_values() {
        let mut s = spec(ParamType::StringList);
        s.allowed = vec!["a".into(), "b".into()];
        let mut f = Field::new(&s);
        f.items = vec!["a".into(), " ".into(), "b ".into()];
        assert_eq!(
            f.value(),
            Ok(Some(ParamValue::List(vec!["a".into(), "b".into()])))
        );
        f.items.push("c".into());
        assert!(f.value().unwrap_err().contains("\"c\" is not one of: a, b"));
        f.items.clear();
        assert_eq!(f.value(), Ok(None));
    }

    #[test]
    fn allowed_values_apply_to_strings() {
        let mut s = spec(ParamType::String);
        s.allowed = vec!["an".into(), "aw".into()];
        let mut f = Field::new(&s);
        f.text.push_str("soi");
        assert!(f.value().unwrap_err().contains("not one of: an, aw"));
        f.text.clear();
        f.text.push_str("aw");
        assert_eq!(f.value(), Ok(Some(ParamValue::Text("aw".into()))));
    }

    #[test]
    fn properties_need_unique_non_empty_keys() {
        let mut f = Field::new(&spec(ParamType::Properties));
        f.pairs = vec![("env".into(), "prod".into()), (" ".into(), "x".into())];
        assert!(f.value().unwrap_err().contains("pair 2 has no key"));
        f.pairs[1].0 = "env".into();
        assert!(f.value().unwrap_err().contains("given twice"));
        f.pairs[1].0 = "tier".into();
        assert_eq!(
            f.value(),
            Ok(Some(ParamValue::Properties(vec![
                ("env".into(), "prod".into()),
                ("tier".into(), "x".into())
            ])))
        );
    }

    #[test]
    fn sdk_objects_are_given_by_id_with_their_type() {
        assert_eq!(
            with_text(ParamType::SdkObject("VC:VirtualMachine".into()), "vm-42").value(),
            Ok(Some(ParamValue::SdkObject {
                ty: "VC:VirtualMachine".into(),
                id: "vm-42".into()
            }))
        );
    }

    #[test]
    fn unsupported_types_stay_unset_and_block_only_when_mandatory() {
        let t = ParamType::Unsupported("Array/VC:VirtualMachine".into());
        assert_eq!(with_text(t.clone(), "x").value(), Ok(None));
        let mut s = spec(t);
        s.mandatory = true;
        assert!(
            Field::new(&s)
                .value()
                .unwrap_err()
                .contains("cannot enter a value of type Array/VC:VirtualMachine")
        );
    }

    #[test]
    fn defaults_fill_the_fields() {
        let mut n = spec(ParamType::Number);
        n.default = Some(ParamValue::Number(3.0));
        let mut l = spec(ParamType::StringList);
        l.name = "l".into();
        l.default = Some(ParamValue::List(vec!["x".into()]));
        let mut form = Form::new(&[n, l]);
        assert_eq!(
            form.submit(),
            Ok(vec![
                ("p".into(), ParamValue::Number(3.0)),
                ("l".into(), ParamValue::List(vec!["x".into()]))
            ])
        );
    }
}
