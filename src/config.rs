//! Contexts: named endpoints in `~/.config/vnav/config.toml`, each with its product, URL, user,
//! where its password comes from, and its TLS and safety settings. Passwords never come from the
//! command line: an environment variable, a `password_command`, or an interactive prompt.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use secrecy::SecretString;
use serde::Deserialize;

use crate::api::http::HttpOptions;
use crate::api::tls::TlsOptions;

const DEFAULT_PASSWORD_ENV: &str = "VNAV_PASSWORD";
const DEFAULT_PASSWORD_COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// Where an endpoint's password came from: named when the server refuses it, so the user
/// knows what to fix. Holds no secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PasswordSource {
    /// `VNAV_PASSWORD`, the variable used when a context names none.
    DefaultEnv,
    /// A context's `password_env`.
    Env(String),
    /// A context's `password_command`.
    Command(String),
    /// Typed at a prompt: the one source the user can correct on the spot.
    Prompt,
    /// The built-in simulator's fixed demo password.
    Demo,
}

impl std::fmt::Display for PasswordSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PasswordSource::DefaultEnv => f.write_str(DEFAULT_PASSWORD_ENV),
            PasswordSource::Env(var) => write!(f, "password_env {var}"),
            PasswordSource::Command(cmd) => write!(f, "password_command `{cmd}`"),
            PasswordSource::Prompt => f.write_str("the prompt"),
            PasswordSource::Demo => f.write_str("the demo"),
        }
    }
}

/// `host` and `host:port` mean `https://host[:port]`: the scheme is what people leave out.
pub fn normalize_url(url: &str) -> String {
    let url = url.trim();
    if url.contains("://") {
        url.to_string()
    } else {
        format!("https://{url}")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ProductName {
    Vcd,
    Vcenter,
    /// Aria Operations (vROps, VCF Operations).
    Vrops,
    /// Orchestrator (vRO, Aria Orchestrator, VCF 9's embedded one).
    Vro,
}

/// How careful running a workflow must be (`workflow_risk` of an Orchestrator context).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RiskName {
    Safe,
    Disruptive,
    Destructive,
}

impl From<RiskName> for crate::api::model::Risk {
    fn from(r: RiskName) -> Self {
        use crate::api::model::Risk;
        match r {
            RiskName::Safe => Risk::Safe,
            RiskName::Disruptive => Risk::Disruptive,
            RiskName::Destructive => Risk::Destructive,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Theme name (built in or in the themes folder next to the config).
    pub theme: Option<String>,
    /// The terminal's colours (`"truecolor"`, `"256"`, `"16"`, `"none"`) when what
    /// `TERM`/`COLORTERM`/`NO_COLOR` say is wrong; unset: detected.
    pub color: Option<crate::colour_depth::ColourDepth>,
    /// Read-only for every context.
    #[serde(default)]
    pub read_only: bool,
    #[serde(default, rename = "context")]
    pub contexts: Vec<Context>,
    /// Key bindings: command name (`copy_command`, `back`, …) → keys (`"ctrl-y"`, `"F9"`).
    #[serde(default)]
    pub keys: std::collections::BTreeMap<String, Vec<String>>,
    /// Columns per kind: kind (`vm`, `host`, …) → column keys in order (see `api::columns`).
    #[serde(default)]
    pub columns: std::collections::BTreeMap<String, Vec<String>>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Context {
    pub name: String,
    pub product: ProductName,
    pub url: String,
    pub user: String,
    /// Environment variable holding the password (default `VNAV_PASSWORD`).
    pub password_env: Option<String>,
    /// Shell command printing the password on its first line (e.g. `pass show vcd/prod`).
    pub password_command: Option<String>,
    /// How long the `password_command` may take before vnav gives up on it and stops it
    /// (default 60 s: long enough to touch a security key or answer a pinentry).
    pub password_command_timeout_secs: Option<u64>,
    #[serde(default)]
    pub insecure: bool,
    pub ca_file: Option<PathBuf>,
    /// sha256 fingerprint of the server certificate to accept (hex, colons optional).
    pub fingerprint: Option<String>,
    /// Hide and refuse every action that changes something on this endpoint.
    #[serde(default)]
    pub read_only: bool,
    pub concurrency: Option<usize>,
    /// vCD: speak exactly this API version (e.g. "36.0") instead of the highest common one.
    pub api_version: Option<String>,
    pub connect_timeout_secs: Option<u64>,
    pub request_timeout_secs: Option<u64>,
    /// Orchestrator: the risk of running a workflow, by its name (`{ "Get VMs" = "safe" }`);
    /// every other workflow is disruptive.
    #[serde(default)]
    pub workflow_risk: std::collections::BTreeMap<String, RiskName>,
}

impl Context {
    pub fn http_options(&self) -> HttpOptions {
        let mut o = HttpOptions {
            tls: TlsOptions {
                insecure: self.insecure,
                ca_file: self.ca_file.clone(),
                fingerprint: self.fingerprint.clone(),
            },
            ..HttpOptions::default()
        };
        if let Some(n) = self.concurrency {
            o.concurrency = n.clamp(1, 64);
        }
        if let Some(s) = self.connect_timeout_secs {
            o.connect_timeout = Duration::from_secs(s);
        }
        if let Some(s) = self.request_timeout_secs {
            o.request_timeout = Duration::from_secs(s);
        }
        o
    }

    fn password_timeout(&self) -> Duration {
        self.password_command_timeout_secs
            .map_or(DEFAULT_PASSWORD_COMMAND_TIMEOUT, Duration::from_secs)
    }

    /// The password from the context's command, its environment variable, or a prompt, with
    /// where it came from (named when the server refuses it).
    pub fn password(&self) -> Result<(SecretString, PasswordSource), String> {
        if let Some(cmd) = &self.password_command {
            let password = run_password_command(&self.name, cmd, self.password_timeout())?;
            return Ok((password, PasswordSource::Command(cmd.clone())));
        }
        match self.password_from_env(|var| std::env::var(var).ok()) {
            Ok(found) => Ok(found),
            Err(why) => {
                // Said in the prompt, so a typo in password_env is not a silent prompt.
                let ask = format!("assword for {} at {}: ", self.user, self.url);
                let prompt = match &why {
                    Some(why) => format!("vnav: {why}; p{ask}"),
                    None => format!("P{ask}"),
                };
                match prompt_password(&prompt) {
                    Ok(p) => Ok((p, PasswordSource::Prompt)),
                    Err(e) => Err(match why {
                        Some(why) => format!("{why}, and {e}"),
                        None => e,
                    }),
                }
            }
        }
    }

    /// The password from the context's command or variable, without asking anyone: None when
    /// neither gives one (the caller asks in its own way). A failing command is an error.
    pub fn password_without_prompt(
        &self,
    ) -> Result<Option<(SecretString, PasswordSource)>, String> {
        if let Some(cmd) = &self.password_command {
            let password = run_password_command(&self.name, cmd, self.password_timeout())?;
            return Ok(Some((password, PasswordSource::Command(cmd.clone()))));
        }
        Ok(self.password_from_env(|var| std::env::var(var).ok()).ok())
    }

    /// The password from the context's variable (`get` reads the environment); Err when there
    /// is none, with the reason worth telling the user (None for the usual unset VNAV_PASSWORD).
    pub fn password_from_env(
        &self,
        get: impl Fn(&str) -> Option<String>,
    ) -> Result<(SecretString, PasswordSource), Option<String>> {
        let (var, source) = match &self.password_env {
            Some(var) => (var.as_str(), PasswordSource::Env(var.clone())),
            None => (DEFAULT_PASSWORD_ENV, PasswordSource::DefaultEnv),
        };
        match get(var) {
            Some(p) if !p.is_empty() => Ok((SecretString::from(p), source)),
            Some(_) => Err(Some(format!("context {}: {source} is empty", self.name))),
            None if self.password_env.is_some() => {
                Err(Some(format!("context {}: {source} is not set", self.name)))
            }
            None => Err(None),
        }
    }

    /// Checks the URL now, so a typo is reported before any connection is tried.
    pub fn validate(&self) -> Result<(), String> {
        let url = url::Url::parse(&self.url)
            .map_err(|e| format!("context {}: invalid URL {:?}: {e}", self.name, self.url))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(format!(
                "context {}: URL {:?} must be http(s)://host[:port]",
                self.name, self.url
            ));
        }
        if self.user.trim().is_empty() {
            return Err(format!("context {}: no user", self.name));
        }
        Ok(())
    }
}

/// Runs `cmd` and takes the first line it prints, giving up (and killing it) after `timeout`
/// so a command that hangs never holds vnav: its output is read on a thread of its own while
/// this one waits for the exit.
fn run_password_command(
    context: &str,
    cmd: &str,
    timeout: Duration,
) -> Result<SecretString, String> {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("context {context}: password_command could not run: {e}"))?;
    let mut stdout = child.stdout.take();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        // Wiped from memory when dropped, as the SecretString made from its first line will be.
        let mut out = zeroize::Zeroizing::new(Vec::new());
        if let Some(s) = stdout.as_mut() {
            // At most 64 KiB: a password is a line, not a stream.
            let _ = s.take(64 * 1024).read_to_end(&mut out);
        }
        let _ = tx.send(out);
    });
    let deadline = std::time::Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if std::time::Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "context {context}: password_command gave no password within {} s \
                     (stopped; password_command_timeout_secs sets the limit)",
                    timeout.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => {
                return Err(format!(
                    "context {context}: password_command could not be waited for: {e}"
                ));
            }
        }
    };
    if !status.success() {
        return Err(format!(
            "context {context}: password_command exited with {status}"
        ));
    }
    // A child the command left running may still hold its output open: what was printed by
    // the time the command exited is what counts, read within a moment.
    let mut out = rx
        .recv_timeout(Duration::from_secs(1))
        .map_err(|_| format!("context {context}: password_command left its output open"))?;
    let text = zeroize::Zeroizing::new(
        String::from_utf8(std::mem::take(&mut *out))
            .map_err(|_| format!("context {context}: password_command printed non-UTF-8"))?,
    );
    let first = text.lines().next().unwrap_or("").to_string();
    if first.is_empty() {
        return Err(format!(
            "context {context}: password_command printed nothing"
        ));
    }
    Ok(SecretString::from(first))
}

pub fn prompt_password(prompt: &str) -> Result<SecretString, String> {
    rpassword::prompt_password(prompt)
        .map(SecretString::from)
        .map_err(|e| format!("cannot read a password from the terminal: {e}"))
}

pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "vnav").map(|d| d.config_dir().join("config.toml"))
}

/// Themes live beside the config: `~/.config/vnav/themes/NAME.toml`.
pub fn themes_dir(config_path: &Path) -> PathBuf {
    config_path
        .parent()
        .map(|p| p.join("themes"))
        .unwrap_or_else(|| PathBuf::from("themes"))
}

/// Reads the config; a missing default file is an empty config, a missing explicit one an error.
/// A commented config that `vnav config example` prints; a test loads it, so it stays valid.
pub const EXAMPLE: &str = include_str!("config.example.toml");

pub fn load(path: &Path, explicit: bool) -> Result<ConfigFile, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
            return Ok(ConfigFile::default());
        }
        Err(e) => return Err(format!("cannot read config {}: {e}", path.display())),
    };
    let mut cfg: ConfigFile =
        toml::from_str(&text).map_err(|e| format!("config {}: {e}", path.display()))?;
    for c in &mut cfg.contexts {
        c.url = normalize_url(&c.url);
    }
    for (i, c) in cfg.contexts.iter().enumerate() {
        c.validate()?;
        if cfg.contexts[..i].iter().any(|o| o.name == c.name) {
            return Err(format!(
                "config {}: context {:?} defined twice",
                path.display(),
                c.name
            ));
        }
    }
    Ok(cfg)
}

/// The contexts named on the command line (all of them when none is named).
pub fn select<'a>(cfg: &'a ConfigFile, names: &[String]) -> Result<Vec<&'a Context>, String> {
    if names.is_empty() {
        return Ok(cfg.contexts.iter().collect());
    }
    names
        .iter()
        .map(|n| {
            cfg.contexts.iter().find(|c| c.name == *n).ok_or_else(|| {
                let known: Vec<&str> = cfg.contexts.iter().map(|c| c.name.as_str()).collect();
                if known.is_empty() {
                    format!("unknown context {n:?}: the config defines no context")
                } else {
                    format!("unknown context {n:?} (known: {})", known.join(", "))
                }
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    const SAMPLE: &str = r#"
theme = "light"
[[context]]
name = "prod"
product = "vcd"
url = "https://vcd.example.com"
user = "admin@System"
password_command = "echo s3cret; echo ignored"
read_only = true
fingerprint = "AB:CD"
"#;

    #[test]
    fn contexts_load_select_and_read_passwords() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, SAMPLE).unwrap();
        let cfg = load(&path, true).unwrap();
        assert_eq!(cfg.theme.as_deref(), Some("light"));
        let ctx = select(&cfg, &["prod".into()]).unwrap()[0];
        assert!(ctx.read_only);
        assert_eq!(ctx.http_options().tls.fingerprint.as_deref(), Some("AB:CD"));
        let (password, source) = ctx.password().unwrap();
        assert_eq!(password.expose_secret(), "s3cret");
        assert_eq!(
            source.to_string(),
            "password_command `echo s3cret; echo ignored`"
        );
        let err = select(&cfg, &["staging".into()]).unwrap_err();
        assert!(
            err.contains("unknown context \"staging\"") && err.contains("prod"),
            "{err}"
        );
    }

    #[test]
    fn the_colour_depth_is_a_config_key() {
        use crate::colour_depth::ColourDepth;
        for (text, want) in [
            ("color = \"16\"", ColourDepth::Ansi16),
            ("color = \"256\"", ColourDepth::Ansi256),
            ("color = \"truecolor\"", ColourDepth::TrueColour),
            ("color = \"none\"", ColourDepth::None),
        ] {
            let cfg: ConfigFile = toml::from_str(text).unwrap();
            assert_eq!(cfg.color, Some(want), "{text}");
        }
        let err = toml::from_str::<ConfigFile>("color = \"8\"").unwrap_err();
        assert!(err.to_string().contains("truecolor"), "{err}");
    }

    #[test]
    fn an_aria_operations_context_loads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let ops = "[[context]]\nname = \"ops\"\nproduct = \"vrops\"\nurl = \"ops.example.com\"\nuser = \"admin\"\n";
        std::fs::write(&path, ops).unwrap();
        let cfg = load(&path, true).unwrap();
        assert_eq!(cfg.contexts[0].product, ProductName::Vrops);
    }

    #[test]
    fn an_orchestrator_context_loads_with_its_workflow_risks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let vro = "[[context]]\nname = \"vro\"\nproduct = \"vro\"\nurl = \"vro.example.com\"\nuser = \"admin\"\n\
                   workflow_risk = { \"Get virtual machines by name\" = \"safe\", \"Power off virtual machine\" = \"destructive\" }\n";
        std::fs::write(&path, vro).unwrap();
        let cfg = load(&path, true).unwrap();
        let ctx = &cfg.contexts[0];
        assert_eq!(ctx.product, ProductName::Vro);
        assert_eq!(
            ctx.workflow_risk["Get virtual machines by name"],
            RiskName::Safe
        );
        assert_eq!(
            ctx.workflow_risk["Power off virtual machine"],
            RiskName::Destructive
        );
        std::fs::write(&path, vro.replace("\"safe\"", "\"harmless\"")).unwrap();
        assert!(load(&path, true).unwrap_err().contains("harmless"));
    }

    #[test]
    fn bad_configs_are_explained() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(
            &path,
            SAMPLE.replace("https://vcd.example.com", "https://vcd example"),
        )
        .unwrap();
        assert!(load(&path, true).unwrap_err().contains("invalid URL"));
        std::fs::write(&path, "[[context]]\nname = 1\n").unwrap();
        assert!(load(&path, true).unwrap_err().contains("config.toml"));
        assert!(
            load(&dir.path().join("missing.toml"), false)
                .unwrap()
                .contexts
                .is_empty()
        );
        assert!(load(&dir.path().join("missing.toml"), true).is_err());
    }

    #[test]
    fn a_url_without_a_scheme_is_https() {
        assert_eq!(normalize_url("vcd.example.com"), "https://vcd.example.com");
        assert_eq!(normalize_url(" 10.0.0.5:8443 "), "https://10.0.0.5:8443");
        assert_eq!(normalize_url("http://sim:8080"), "http://sim:8080");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(
            &path,
            SAMPLE.replace("https://vcd.example.com", "vcd.example.com:8443"),
        )
        .unwrap();
        let cfg = load(&path, true).unwrap();
        assert_eq!(cfg.contexts[0].url, "https://vcd.example.com:8443");
    }

    #[test]
    fn an_unset_password_env_is_explained_not_silently_prompted() {
        let mut ctx = load_sample();
        ctx.password_command = None;
        ctx.password_env = Some("PROD_VCD_PW".into());
        let why = ctx.password_from_env(|_| None).unwrap_err();
        assert_eq!(
            why.as_deref(),
            Some("context prod: password_env PROD_VCD_PW is not set")
        );
        let why = ctx.password_from_env(|_| Some(String::new())).unwrap_err();
        assert_eq!(
            why.as_deref(),
            Some("context prod: password_env PROD_VCD_PW is empty")
        );
        let (p, source) = ctx
            .password_from_env(|v| (v == "PROD_VCD_PW").then(|| "pw".to_string()))
            .unwrap();
        assert_eq!(
            (p.expose_secret(), source),
            ("pw", PasswordSource::Env("PROD_VCD_PW".into()))
        );
        // No password_env: an unset VNAV_PASSWORD is the ordinary case and needs no word.
        ctx.password_env = None;
        assert_eq!(ctx.password_from_env(|_| None).unwrap_err(), None);
        let (_, source) = ctx.password_from_env(|_| Some("x".into())).unwrap();
        assert_eq!(source.to_string(), "VNAV_PASSWORD");
    }

    fn load_sample() -> Context {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, SAMPLE).unwrap();
        load(&path, true).unwrap().contexts.remove(0)
    }
}
