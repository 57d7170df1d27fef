//! What a cancelled job tells the admin: true for the phase it was cancelled in.
//!
//! The data plane reports where it stopped and what it left ([`Cancellation`]); this is the one
//! place that turns that into the sentence the wizard, the headless commands and the evidence
//! show.

use crate::chatdata::{Cancellation, Left};
use crate::runbook::JobKind;

/// The sentence for a job cancelled as `c` says.
pub fn statement(kind: JobKind, c: &Cancellation) -> String {
    let job = kind.label();
    match &c.left {
        Left::Nothing => match kind {
            JobKind::Export => format!(
                "{job} cancelled during {}: no new package was written (a package from an earlier export, if any, is unchanged) \
                 and the legacy database was not changed",
                c.phase
            ),
            JobKind::ImportWhatIf => format!(
                "{job} cancelled during {}: the preview writes nothing; nothing was changed",
                c.phase
            ),
            JobKind::Import => format!(
                "{job} cancelled during {}, before its first write: the mgc database is unchanged; running the import again \
                 continues reading the package from its checkpoint",
                c.phase
            ),
            JobKind::Verify => format!(
                "{job} cancelled during {}: the verify only reads; nothing was changed, and nothing was verified",
                c.phase
            ),
        },
        Left::PartialImport {
            categories,
            rooms,
            principals,
            messages,
            total,
            this_run,
        } => format!(
            "{job} cancelled during {}: the mgc database is now PARTLY IMPORTED — it holds {categories} categories, {rooms} rooms \
             and {principals} principals and {messages} of {total} messages ({this_run} written by this run). Run the import \
             again to resume after the last checkpoint, or restore the mgc backup (lab: quit the wizard, then pchat-migrate lab reset-target) to \
             roll it back; do not start the Persistent Chat services on a partial import",
            c.phase
        ),
        Left::Unknown => format!(
            "{job} cancelled during {}: PowerShell was stopped, and the cmdlet may have changed part of the deployment \
             (a cmdlet on a remote server can go on until WinRM drops the session). Check before going on: run verify, \
             or the cmdlet's Get- counterpart",
            c.phase
        ),
    }
}

/// Whether a cancellation left the target changed (or possibly changed).
pub fn changed(c: &Cancellation) -> bool {
    !matches!(c.left, Left::Nothing)
}
