//! Typed cmdlet calls, built from the profile and rendered into script lines.

use serde::Serialize;

use super::quote::{self, QuoteError};

/// A parameter value. Strings and lists become single-quoted literals; the rest are rendered
/// from typed values, so nothing from the profile is ever written as code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "lowercase")]
pub enum ParamValue {
    /// `-Name 'text'`.
    Str(String),
    /// `-Name @('a','b')`.
    List(Vec<String>),
    /// `-Name 42`.
    Int(i64),
    /// `-Name:$true` / `-Name:$false`.
    Bool(bool),
    /// `-Name` (a switch that is on).
    Switch,
    /// `-Name ([datetime]::ParseExact('2010-01-01','yyyy-MM-dd',[cultureinfo]::InvariantCulture))`,
    /// so the date never depends on the server's culture.
    Date(chrono::NaiveDate),
    /// `-Name $variable`: a variable the script itself sets (e.g. the credential).
    Var(&'static str),
}

/// One cmdlet with its parameters, in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CmdletCall {
    /// The cmdlet, e.g. `Export-CsPersistentChatData`.
    pub name: &'static str,
    /// Parameters, without the leading dash.
    pub params: Vec<(String, ParamValue)>,
}

impl CmdletCall {
    /// A call with no parameters yet.
    pub fn new(name: &'static str) -> CmdletCall {
        CmdletCall {
            name,
            params: Vec::new(),
        }
    }

    /// Adds a parameter.
    #[must_use]
    pub fn param(mut self, name: &str, value: ParamValue) -> CmdletCall {
        self.params.push((name.to_string(), value));
        self
    }

    /// Adds a string parameter.
    #[must_use]
    pub fn arg(self, name: &str, value: impl Into<String>) -> CmdletCall {
        self.param(name, ParamValue::Str(value.into()))
    }

    /// Adds a switch.
    #[must_use]
    pub fn switch(self, name: &str) -> CmdletCall {
        self.param(name, ParamValue::Switch)
    }

    /// The value of a parameter, if set.
    pub fn get(&self, name: &str) -> Option<&ParamValue> {
        self.params.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// The call as one line of PowerShell.
    ///
    /// # Errors
    /// [`QuoteError`] when a value contains NUL (the error names the cmdlet and parameter).
    ///
    /// # Panics
    /// When a cmdlet, parameter or variable name is not a plain name (a bug in this program:
    /// names never come from the profile).
    pub fn render(&self) -> Result<String, QuoteError> {
        assert!(quote::is_plain_name(self.name), "cmdlet name {}", self.name);
        let mut line = self.name.to_string();
        for (p, v) in &self.params {
            assert!(quote::is_plain_name(p), "parameter name {p}");
            let what = format!("{} -{p}", self.name);
            match v {
                ParamValue::Str(s) => {
                    line.push_str(&format!(" -{p} {}", quote::literal(s, &what)?));
                }
                ParamValue::List(l) => {
                    line.push_str(&format!(" -{p} {}", quote::literal_array(l, &what)?));
                }
                ParamValue::Int(n) => line.push_str(&format!(" -{p} {n}")),
                ParamValue::Bool(b) => {
                    line.push_str(&format!(" -{p}:{}", if *b { "$true" } else { "$false" }));
                }
                ParamValue::Switch => line.push_str(&format!(" -{p}")),
                ParamValue::Date(d) => line.push_str(&format!(
                    " -{p} ([datetime]::ParseExact('{}','yyyy-MM-dd',[cultureinfo]::InvariantCulture))",
                    d.format("%Y-%m-%d")
                )),
                ParamValue::Var(name) => {
                    assert!(quote::is_plain_name(name), "variable name {name}");
                    line.push_str(&format!(" -{p} ${name}"));
                }
            }
        }
        Ok(line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_each_kind() {
        let c = CmdletCall::new("Export-CsPersistentChatData")
            .arg("DBInstance", "sql01\\GC")
            .param("Scope", ParamValue::List(vec!["A".into(), "B'C".into()]))
            .param(
                "StartDate",
                ParamValue::Date(chrono::NaiveDate::from_ymd_opt(2010, 1, 1).unwrap()),
            )
            .switch("DisableExportedNodes")
            .param("Confirm", ParamValue::Bool(false))
            .param("Port", ParamValue::Int(5041))
            .param("Credential", ParamValue::Var("pcmCred"));
        assert_eq!(
            c.render().unwrap(),
            "Export-CsPersistentChatData -DBInstance 'sql01\\GC' -Scope @('A','B''C') \
             -StartDate ([datetime]::ParseExact('2010-01-01','yyyy-MM-dd',[cultureinfo]::InvariantCulture)) \
             -DisableExportedNodes -Confirm:$false -Port 5041 -Credential $pcmCred"
        );
    }

    #[test]
    fn nul_names_the_parameter() {
        let e = CmdletCall::new("Get-CsPersistentChatRoom")
            .arg("PersistentChatPoolFqdn", "a\0b")
            .render()
            .unwrap_err();
        assert!(e.to_string().contains("-PersistentChatPoolFqdn"));
    }
}
