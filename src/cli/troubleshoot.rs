//! `troubleshoot …`: the command itself lives in `crate::troubleshoot::command`; this hands
//! it the profile, the runner's inputs and the way to the session.

use std::process::ExitCode;

use super::context::Context;
use crate::troubleshoot::command::{self, CommandEnv, TroubleshootAction};
use crate::troubleshoot::runner::RunnerInputs;

pub(super) fn troubleshoot(
    ctx: &Context,
    session: Option<&str>,
    lang: &str,
    action: TroubleshootAction,
) -> Result<ExitCode, String> {
    let open = || {
        let mut store = ctx.open_store()?;
        let s = ctx.session(&mut store, session)?;
        Ok((store, s))
    };
    command::run(
        action,
        CommandEnv {
            lang,
            placeholders: ctx.profile.placeholders(&ctx.work_dir()),
            inputs: RunnerInputs {
                snapshot: None,
                profile: ctx.profile.clone(),
                data_dir: Some(ctx.paths.data_dir.clone()),
                job_env: ctx.job_env(),
            },
            open_session: &open,
            operator: &ctx.operator,
        },
    )
}
