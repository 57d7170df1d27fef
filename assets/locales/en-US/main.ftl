# pchat-migrate — English messages. Every string the wizard shows comes from here.
# Cmdlet names, parameters and placeholders are never translated.

items-done = {$done}/{$total} done
header-session = session {$name}
downtime = downtime
pane-stages = Stages
pane-detail = Detail
pane-filter-results = Filter "{$filter}": {$count ->
    [one] 1 item
   *[other] {$count} items
}
no-items = No items here.
no-notes = No notes yet: press n to write one.

too-small-title = Terminal too small
too-small-body = This terminal is {$width}×{$height}. pchat-migrate needs at least {$min_width}×{$min_height}: enlarge the window or reduce the font size.
too-small-quit = Press q to quit; your session is saved.

kind-manual = manual
kind-probe = probe
kind-task = task
inferred-badge = inferred: check in your lab
state-todo = todo
state-done = done
state-skipped = skipped
state-blocked = blocked
state-failed = failed
state-by = by {$who} at {$when}
saving = saving…
passed = passed
failed = failed

section-guidance = What to do
section-commands = Commands
section-proof = Proof it is done
section-pitfalls = Pitfalls
section-notes = Notes
section-evidence = Evidence
section-source = Source
job-available = Press r to run the {$job} job; its result is kept as evidence.
more-differences = …and {$count} more differences (pchat-migrate verify --json lists all)
more-warnings = …and {$count} more warnings

job-stats = {$rate}/s · ETA {$eta} · elapsed {$elapsed} · {$mb} MB/s
job-cancelling = cancelling…
job-running-hint = c cancels the job; the screen stays live.
job-done-hint = r runs it again.

job-export = Export
job-import-whatif = Import (-WhatIf)
job-import = Import
job-verify = Verify

hint-stages = Choose a stage and press enter to open its checklist.
hint-item = space marks done · s skip · b block · n notes · tab detail
hint-item-job = r runs this item's job · space marks done · n notes
hint-detail = ↑/↓ scroll the detail · esc back to the checklist
hint-filter = Filter: {$filter}▏ (enter keeps it, esc clears)

key-quit = quit (all is saved)
key-help = all keys
key-back = back: close, clear the filter, or go left
key-focus-next = next pane
key-focus-prev = previous pane
key-up = up
key-down = down
key-page-up = page up
key-page-down = page down
key-top = first
key-bottom = last
key-enter = open
key-left = back
key-toggle-done = done / todo
key-skip = skip (with a reason)
key-block = blocked (with a reason)
key-fail = mark failed
key-reset = back to todo
key-notes = notes
key-run = run job
key-cancel = cancel job
key-rollback = rollback list
key-filter = filter
key-preview = -WhatIf preview: read and acknowledge its warnings
key-sessions = switch or start a migration session
key-theme = theme: dark, light, mono
key-mouse = mouse capture on/off
key-keep-filter = keep filter
key-clear-filter = clear filter
key-save-close = save and close
key-save = save
key-submit = confirm
key-cancel-overlay = cancel
key-override = override (recorded)
key-close = close

title-help = Keys
help-global = Everywhere
help-stages = Stage list
help-items = Checklist and detail
help-overlays = In dialogs
help-notes-keys = Notes editor: type freely; esc or ctrl-s saves (nothing typed is thrown away).
help-reason-keys = Reason: type why, enter saves, esc cancels.
help-confirm-keys = Downtime confirmation: type the word shown, enter confirms, esc goes back.
help-gate-keys = Earlier stages open: o goes on and records the override, esc goes back.
help-filter-keys = Filter (/): type to match titles, ids, checklist numbers and cmdlets; enter keeps, esc clears.
help-mouse = Mouse: click selects a stage or item, the wheel scrolls; m turns capture off to select text.
help-markers = Checklist: [ ] todo  [x] done  [-] skipped  [!] blocked  [F] failed  [*] saving. Kinds: M manual, P probe, T task; > has a job, ~ job running.

title-notes = Notes — {$item}
notes-hint = esc: save and close · ctrl-s: save
title-reason = Mark {$state}: {$item}
reason-question = Why? (recorded with your name and the time)
reason-placeholder = reason
reason-hint = enter saves · esc cancels
title-confirm = Downtime: {$stage}
confirm-body = This stage is part of the downtime window. Users lose Group Chat until Start and verify is done.
confirm-type = Type {$word} and press enter to start it; this is recorded.
confirm-placeholder = type {$word}
confirm-hint = enter confirms · esc goes back
title-gate = Earlier stages are still open
gate-body = You are about to work on stage "{$stage}" while earlier stages have open items:
open-count = {$count ->
    [one] 1 open item
   *[other] {$count} open items
}
gate-hint = o: go on anyway (recorded in the audit trail) · esc: go back
message-hint = esc, enter or q closes · j/k, g/G scroll
title-job-unavailable = This job cannot run here
title-whatif-first = Run the -WhatIf preview first

status-saving = saving…
status-saved = saved: {$what}
status-save-failed = NOT saved: {$error}
status-recorded = recorded in the audit trail
status-unchanged = nothing changed
status-reason-required = a reason is required
status-not-confirmed = not confirmed; nothing changed
status-confirm-mismatch = that is not {$word}; type it exactly
status-no-job = this item has no job: do it with the commands shown, then mark it done
status-no-running-job = no job is running for this item
status-cancelling = cancelling at the next batch…
status-job-already-running = this job is already running
status-job-starting = starting {$job}…
status-job-started = {$job} running
status-job-cancelled = {$job} cancelled; nothing was changed
status-mouse-on = mouse capture on
status-mouse-off = mouse capture off: the terminal can select text now
status-name-required = a name is required
status-jobs-running = a job is running: wait for it or cancel it before switching sessions
session-name-placeholder = name of the new session
title-sessions = Migration sessions
sessions-hint = enter opens · n new session · esc closes
sessions-current = (open now)
rollback-unavailable = past Decommission: no rollback
status-rollback-unavailable = Decommission has begun: the rollback list no longer applies (the legacy pool may be gone)
title-preview = Import preview (-WhatIf)
preview-ran = preview run at {$when}
preview-no-warnings = No warnings: the import will take the package as it is.
preview-warnings = {$count ->
    [one] 1 warning: read it before the import
   *[other] {$count} warnings: read them before the import
}
preview-hint = a: I have read these warnings, acknowledge (recorded)
preview-acknowledged = Acknowledged (recorded in the audit trail) · esc close
status-already-acknowledged = this preview is already acknowledged
import-ready = The import may run: the preview passed and its warnings are acknowledged.
import-no-preview = No -WhatIf preview yet: run item 46 (Dry-run the import) first.
import-preview-failed = The latest -WhatIf preview failed: fix what it reports and run it again.
import-preview-stale = The latest preview no longer stands (the package was exported again, or the lab re-created, after it): run the -WhatIf preview again.
import-not-acknowledged = Read and acknowledge the -WhatIf warnings first (p opens the preview, a acknowledges).

# Screens: pools, pilot, troubleshooting, window; report and diagnostics
screen-runbook = Runbook
screen-pools = Pools
screen-pilot = Pilot
screen-troubleshoot = Troubleshoot
screen-window = Window
key-screen-runbook = runbook: stages and checklists
key-screen-pools = pools: live status and who reaches which pool
key-screen-pilot = pilot users and their test cases
key-screen-troubleshoot = known symptoms, checks and fixes
key-screen-window = downtime window: plan against actual
key-write-report = write the sign-off report (Markdown and HTML)
key-diagnostics = collect diagnostics into one zip
key-probe-now = probe now
key-toggle-pool = stop/start lab pool
key-lookup-user = look up a user
key-import-topology = import topology
key-pilot-pass = passed
key-pilot-fail = failed (with a note)
key-pilot-na = does not apply
key-pilot-todo = back to todo
key-prev-case = previous test case
key-next-case = next test case
key-pilot-add = add profile users
key-pilot-csv = import pilot users from CSV
key-run-checks = run checks
key-save-plan = estimate and save plan
key-step-start = step started
key-step-finish = step finished
hint-pools = Live pool status; x stops or starts a lab pool; / looks up a user.
hint-pilot = Pilot: ←/→ choose a test case, p pass, f fail, a n/a.
hint-troubleshoot = ↑/↓ choose a symptom · r runs its checks · PgUp/PgDn or enter: the detail
hint-window = Downtime window: e estimates the plan, s/f mark a step.
input-hint = enter submits · esc cancels
cert-warnings = {$count ->
    [one] 1 certificate warning
   *[other] {$count} certificate warnings
}
pools-title-probed = Pools — probed {$when}, round {$round}
pools-title-waiting = Pools — waiting for the first probe
pools-header = state    pool                           product                            ports last change
pool-not-probed = Not probed yet.
pool-changes = Recent state changes
pool-state-up = Up
pool-state-degraded = Degraded
pool-state-down = Down
pool-state-unknown = Unknown
reach-yes = yes
reach-no = no
reach-contradicted = the documents disagree
reach-unknown = not known
matrix-title = Who reaches which pool (client × pool)
matrix-client = client
matrix-legend = ✓ users who reach it now, ✗ who do not, ? not known; / explains one user.
lookup-title = User lookup
lookup-placeholder = sip:user@contoso.com
lookup-unknown = {$sip} is not in the profile: add it under [[users]] to get a verdict
title-lookup = Look up a user (SIP URI)
title-topology-file = Topology file (Get-CsTopology -AsXml or .tbxml)
title-pilot-csv = Pilot users CSV (sip,display_name,client)
title-pilot-note = Why did it fail for {$user}?
title-topology = Topology import
title-topology-failed = Topology not read
topology-placeholder = path to the topology file
topology-merged = Merged into {$file}; restart the wizard to use it.
topology-lab-note = The lab profile is built in: to keep these pools, run pchat-migrate topology import {$file} --merge-into PROFILE.toml
status-probing = probing every pool now…
status-no-monitor = the monitor is not running
status-toggling-pool = switching {$pool}…
status-pool-started = {$pool} started (recorded)
status-pool-stopped = {$pool} stopped (recorded)
status-reading-topology = reading the topology…
status-no-data-dir = no data directory: nothing written
status-writing-report = writing the report…
status-report-written = report written: {$file}
status-collecting = collecting diagnostics…
status-diagnostics-written = diagnostics written: {$file}
pools-header-narrow = state    pool                           ports last change
title-script = Review before it runs: {$job}
script-runs-on = Runs on {$host} · script sha256 {$sha}… (recorded when you approve)
script-user = Account (DOMAIN\user)
script-password = Password (never stored or shown)
script-password-for = Password for {$user} (never stored or shown)
script-hint = enter runs it · tab next field · pgup/pgdn scroll · esc cancels
password-placeholder = password
user-placeholder = DOMAIN\user
status-not-run = not run; nothing changed

# Window screen: the downtime plan, then each step against it
window-title-plan = Downtime plan — book {$window}
window-title-no-plan = Downtime plan — not estimated yet
window-info-title = The window
window-loading = Loading the plan…
window-no-plan = No plan yet: e estimates the window from the lab rehearsal and the size of the source.
window-col-step = step
window-col-planned = planned
window-col-start = start
window-col-end = end
window-col-elapsed = elapsed
window-col-state = state
window-col-gauge = progress
window-col-basis = basis
window-state-pending = not started
window-state-running = on time
window-state-late = OVER
window-state-done = done
window-state-done-late = done, over
window-step-stop-services = Stop services
window-step-backups = Final backups
window-step-export = Export
window-step-import-whatif = Import -WhatIf
window-step-import = Import
window-step-file-copy = Copy uploaded files
window-step-endpoint = Legacy endpoint
window-step-start = Start Persistent Chat
window-step-verify = Verify
window-book = Book {$window}: the steps take {$steps}, × {$factor} for what the lab does not show.
window-booked = Booked {$start} → ends {$end}.
window-started = Started {$start} → the window ends {$end}.
window-not-booked = Not booked: the window ends {$window} after the first step starts.
window-progress-fits = Elapsed {$elapsed}; at this pace all steps take {$projected}: within the window.
window-progress-over = Elapsed {$elapsed}; at this pace all steps take {$projected}: {$over} OVER the window.
window-selected = {$step}: {$basis}
window-actual = Actual: {$source}, started {$start}.
window-size = Source: {$messages} messages; legacy database {$mb} MB.
window-saved = Plan saved {$when} by {$who} (audit trail: plan-saved).
window-rates = Rates measured in this session's lab rehearsal:
window-plan-rates = Rates the plan uses:
window-rate = {$job}: {$rate} msg/s — {$source}
window-rate-missing = {$job}: not measured — rehearse it: pchat-migrate {$command}
window-missing-rate = No {$step} rate: rehearse it in the lab (pchat-migrate {$command}), then press e again.
window-invalid = {$field}: {$problem}
window-no-size = The size of the source is unknown: run the export in this session (or set up the lab) first.

# The downtime plan in words: why a step takes its time, where a rate and a step's actual
# times come from, and times with the day of the week. The plan and the report keep the
# English; the Window screen shows the language of the run.
plan-basis-fixed = fixed
plan-basis-no-messages = no messages to move
plan-basis-messages = {$messages} messages at {$rate} msg/s ({$source})
plan-basis-size = {$mb} MB at {$rate} MB/s
plan-basis-files-unsized = {$posts} file posts; the uploaded-files folder's size is unknown: size it (item 37) and estimate again
plan-basis-no-file-posts = no file posts in the source: nothing to copy
plan-basis-verify = fixed {$minutes} min + database comparison of {$messages} messages at {$rate} msg/s ({$source})
rate-entered = entered by the admin
rate-lab = lab session "{$session}": {$messages} messages in {$seconds} s ({$job}, {$when})
rate-job-export = export job
rate-job-import-whatif = import-whatif job
rate-job-import = import job
rate-job-verify = verify job
rate-job-other = {$kind} job
actual-marked = marked by {$who}
actual-marked-by-two = marked by {$started} and {$finished}
actual-job-run = {$job} run {$runs} ({$status})
actual-job-runs = {$job} runs {$runs} ({$status})
actual-checklist = checklist: {$closed} of {$total} items closed
job-run-running = running
job-run-succeeded = succeeded
job-run-failed = failed
job-run-cancelled = cancelled
job-run-interrupted = interrupted
job-run-other = {$status}
datetime-utc = {$weekday} {$date} {$time} UTC
weekday-mon = Mon
weekday-tue = Tue
weekday-wed = Wed
weekday-thu = Thu
weekday-fri = Fri
weekday-sat = Sat
weekday-sun = Sun
status-estimating = estimating the downtime window…
status-counting-messages = counting the messages in the lab's legacy database…
status-plan-saved = plan saved: book {$window} (recorded)
status-plan-failed = no plan: {$error}
status-step-started = {$step} started (recorded)
status-step-finished = {$step} finished after {$elapsed} (recorded)
status-step-refused = {$step}: NOT recorded: {$error}

# Troubleshoot screen
title-ts-symptoms = Known symptoms ({$count})
ts-catalog-error = The symptom catalog could not be loaded: {$error}
ts-sees = What the admin sees:
ts-inferred = Inferred: the fix or a check rests on an inference.
ts-items = Runbook items: {$items}
ts-user = User for the checks: {$user} (the last lookup on the Pools screen)
ts-no-user = No user chosen: checks about one user need a lookup on the Pools screen (2, then /).
ts-results = Last results
ts-running = Running the checks…
ts-no-results = No run yet: r runs the checks.
ts-run-at = {$when} by {$who}: {$summary}
ts-unsaved = Not recorded: {$error}
ts-checks = Checks
ts-expect = expect: {$text}
ts-fix = Fix
ts-source = Source: {$source}
ts-kind-probe = probe
ts-kind-cmdlet = cmdlet
ts-kind-sql = SQL
key-ts-match = match an error
key-ts-events = read an event log
title-ts-match = Paste or type an error, an event or a sentence (enter matches)
title-ts-event-log = Event log file (.evtx, Get-WinEvent JSON), or hours to pull
ts-match-placeholder = e.g. Event ID 53530 The Persistent Chat database connection was lost
ts-events-placeholder = path of an exported .evtx file, or hours to pull (production)
title-ts-matches = Matching symptoms ({$count}) · esc: all
title-ts-no-match = No match: closest ({$count}) · esc: all
ts-query = For: {$text}
ts-query-none = No symptom fits: {$text}
ts-why = Why it matched (score {$score}): {$why}
ts-cause = Cause:
ts-disagreement = Sources disagree: {$text}
status-ts-matched = {$count} symptoms match; the best first
status-ts-no-match = No symptom matches; {$closest} closest shown
status-ts-pull-production = Pulling event logs needs a production profile; give a file path
status-ts-reading = Reading {$file}…
status-ts-events = Event log read: {$kept} relevant events, {$symptoms} symptoms matched
status-ts-events-damaged = Damaged event log, partly read: {$kept} events, {$symptoms} symptoms
ts-kind-manual = by hand
ts-mark-passed = PASS
ts-mark-failed = FAIL
ts-mark-unknown = ?
ts-mark-manual = BY HAND
ts-mark-not-run = NOT RUN
status-ts-running = running the checks: {$symptom}…
status-ts-busy = checks still running: {$symptom}
status-ts-recorded = recorded on {$item}: {$failed} failed, {$passed} passed, {$open} open
status-ts-crashed = the checks stopped on an internal error; see the log

# Import preview: the package inventory
inventory-title = The package holds
inventory-reading = reading the package…
inventory-nodes = {$categories} categories ({$subcategories} to flatten), {$rooms} rooms ({$disabled} disabled)
inventory-principals = {$users} users, {$groups} groups, {$federated} federated, {$affiliations} affiliations
inventory-messages = {$messages} messages, {$files} file posts (copy the files by hand)
inventory-no-content = no content files found: this package carries no chat history

# Pilot screen
pilot-case-sign-in = Signs in
pilot-case-sees-rooms = Sees rooms
pilot-case-joins-room = Joins a room
pilot-case-posts = Posts
pilot-case-history = Sees history
pilot-case-legacy-endpoint = Legacy endpoint
pilot-case-files = Files
pilot-short-sign-in = Sign
pilot-short-sees-rooms = Rooms
pilot-short-joins-room = Join
pilot-short-posts = Post
pilot-short-history = Hist
pilot-short-legacy-endpoint = Legacy
pilot-short-files = Files
pilot-desc-sign-in = Sign in to the client; it reaches the Persistent Chat pool.
pilot-desc-sees-rooms = The rooms the user belongs to are listed (Lync 2013: only when the user is homed on Lync 2013 and a Persistent Chat policy enables them).
pilot-desc-joins-room = Open one of the rooms (the test room first).
pilot-desc-posts = Post a message; another pilot user sees it.
pilot-desc-history = The room shows its history, migrated messages included.
pilot-desc-legacy-endpoint = A Lync 2010 Group Chat or Communicator 2007 R2 Group Chat client reaches the new pool through the legacy endpoint without any change to its settings.
pilot-desc-files = Post a file and open a file posted before the migration (legacy clients only: Lync 2013 cannot post or view files in rooms).
pilot-mark-pass = pass
pilot-mark-fail = FAIL
pilot-mark-na = n/a
pilot-mark-todo = todo
pilot-yes = yes
pilot-no = no
pilot-unknown = unknown
pilot-grid-title = Pilot: {$pass} passed · {$fail} failed · {$todo} to do · {$users ->
    [one] 1 user
   *[other] {$users} users
}
pilot-loading = Reading the pilot…
pilot-empty = No pilot users yet. A adds the profile's users on Lync 2013; i imports a CSV file (sip,display_name,client).
pilot-col-user = user / client
pilot-col-done = passed
pilot-row-done = passed per test
pilot-counts = {$pass} pass · {$fail} fail · {$na} n/a · {$todo} to do
pilot-detail-title = {$case} — {$user}
pilot-detail-user = {$sip} · {$client} · pool {$pool} (Lync 2013: {$on2013}) · chat policy: {$policy}
pilot-saving = Saving…
pilot-detail-result = Result: {$result}
pilot-auto-na = does not apply to this client
pilot-detail-recorded = Recorded by {$who}, {$when}
pilot-detail-not-recorded = Not tested yet.
pilot-this-test = This test:
pilot-this-user = This user:
pilot-coex-title = Coexistence items the pilot feeds
pilot-coex-proven = proven
pilot-coex-not-proven = not yet
pilot-coex-note = Evidence only: tick the items in the runbook (1).
pilot-progress-title = Progress per test
pilot-note-placeholder = what happened (required)
pilot-csv-placeholder = path to the CSV file
title-pilot-csv-failed = Pilot users not imported
status-pilot-load-failed = cannot read the pilot: {$error}
status-pilot-no-users = no pilot users yet: A adds the profile's users, i imports a CSV
status-pilot-still-saving = still saving this test; wait for it
status-pilot-not-applicable = {$case} does not apply to {$client}: a records n/a
status-pilot-saved = {$user}: {$case} → {$result} (saved)
status-pilot-evidence-failed = evidence NOT attached: {$error}
status-pilot-none-in-profile = no profile user on Lync 2013; {$count} left out: {$names}
status-pilot-adding = adding {$count} pilot users…
status-pilot-added = pilot users: {$added} added, {$updated} updated, {$unchanged} unchanged
status-pilot-added-left-out = {$added} added, {$updated} updated; {$count} left out: {$names}
status-pilot-imported = {$file}: {$added} added, {$updated} updated, {$unchanged} unchanged
status-pilot-import-progress = adding pilot users: {$done} of {$total}… (esc stops)
status-pilot-import-stopping = stopping the import after the batch being saved…
status-pilot-import-stopped = {$file}: stopped after {$done} of {$total} users (those are saved)
status-pilot-import-busy = a CSV import is still running; wait for it or stop it with esc
status-pilot-reading-csv = reading {$file}…
status-pilot-csv-failed = {$file} NOT imported: see the message
status-pilot-csv-empty = {$file} lists no pilot users
status-pilot-note-needed = a failed test needs a note saying what happened

# One truth: states, gates and losses derived from evidence
title-refused = Not allowed
status-saved-evidence = saved: {$what}; the checklist follows the evidence: {$evidence}
import-losses-not-accepted = The -WhatIf preview refuses items that would be lost: accept each loss by name (L in the preview, recorded), or fix it and export again.
status-no-loss-to-accept = No refused item waits for acceptance in this preview.
status-override-reason-required = Type a reason of at least 10 characters; it is recorded with your name.
state-by-evidence = , from recorded evidence
state-proof = ↳ evidence: { $proof }
proven-by = Proven by evidence: {$rule} (ticked by it, not by hand)
preview-counts =
    {$errors ->
        [one] 1 error
       *[other] {$errors} errors
    } (not imported) · {$warnings ->
        [one] 1 warning
       *[other] {$warnings} warnings
    } (imported, changed) · {$notes ->
        [one] 1 note
       *[other] {$notes} notes
    }
preview-losses = Errors: {$count} items will NOT be imported. Each must be accepted by name before the import runs:
loss-accepted = [accepted loss]
loss-open = [not accepted]
preview-hint-losses = L: accept the selected (or next) refused item's loss by name (typed, recorded) · a: acknowledge warnings
title-irreversible = This ends the rollback option
irreversible-body = "{$item}" cannot be undone: after it the legacy Group Chat pool is gone. It needs a passing, current verify.
irreversible-type = To go on anyway, type your reason and press enter; it is recorded as an override by {$who}.
title-accept-loss = Accept a loss
accept-loss-body = The import will NOT import {$code} "{$item}".
status-legacy-probe = reading the legacy database for items 9 and 32…

# Overlays as components (issue 11)
key-new-session = name a new session
key-next-field = next field
key-scroll = scroll
key-fold = open or fold a group
key-acknowledge = acknowledge the warnings (recorded)
key-accept-loss = accept a refused item's loss by name
help-input-keys = One-line inputs: type, enter submits, esc cancels (nothing is recorded).
help-scroll-keys = Help, messages and the -WhatIf preview: j/k or ↑/↓ one line, pgup/pgdn a page, g/G first/last.
help-stage-markers = Stage list: x all done, + some done, ! failed or blocked items.
help-hint = esc, q, ? or enter closes · j/k, pgup/pgdn, g/G scroll
help-pools = Pools and coexistence
help-pilot = Pilot
help-troubleshoot = Troubleshooting
help-window = Downtime window
scroll-position = lines {$first}–{$last} of {$total}
preview-group-accepted = {$accepted}/{$total} accepted
preview-group-hint = {$count} findings with code {$code}: enter opens or folds the group.
preview-no-match = No finding matches the filter.
preview-position = row {$row} of {$rows} · ] next group · [ previous group · x open or fold all
topology-profile-lab = The lab profile is built in and was not changed. To keep these pools, run pchat-migrate topology import FILE --merge-into PROFILE.toml.
topology-profile-unchanged = The profile {$file} already describes this topology: nothing was changed.
topology-profile-changed = The profile {$file} was changed ({$count} changes); restart the wizard to use it:
topology-profile-failed = The profile was not changed: {$error}
