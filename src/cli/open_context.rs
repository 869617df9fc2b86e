//! Opening a context of the config while the TUI runs (`:ctx NAME` for one this vnav was not
//! started with): its client built as at start-up, its password from its `password_command`
//! or variable. When the config gives none, the app asks in its own password prompt: the
//! terminal belongs to the UI, so nothing is read from it here.

use std::sync::Arc;

use secrecy::SecretString;

use crate::app::EndpointSpec;
use crate::config::Context;
use crate::runtime::executor::{OpenedContext, Opener, Reopen};

use super::endpoints;

/// Opens any of `contexts` by name.
pub fn opener(contexts: Vec<Context>) -> Opener {
    Arc::new(move |name| {
        let ctx = contexts
            .iter()
            .find(|c| c.name == name)
            .ok_or_else(|| format!("no context {name} in the config"))?;
        open(ctx)
    })
}

fn open(ctx: &Context) -> Result<OpenedContext, String> {
    let given = ctx.password_without_prompt()?;
    let (password, source) = match given {
        Some((p, s)) => (p, Some(s)),
        // Never sent: the endpoint waits for the prompt's password before it connects.
        None => (SecretString::from(String::new()), None),
    };
    let backend = endpoints::backend(ctx, &ctx.name, password)?;
    let mut root = backend.root();
    root.name = ctx.name.as_str().into();
    let reopen: Reopen = {
        let ctx = ctx.clone();
        Arc::new(move |password| endpoints::backend(&ctx, &ctx.name, password))
    };
    Ok(OpenedContext {
        spec: EndpointSpec {
            label: ctx.name.clone(),
            root,
            insecure: ctx.insecure,
            read_only: ctx.read_only,
        },
        backend,
        source,
        reopen: Some(reopen),
    })
}
