# pchat-migrate — messaggi in italiano. Ogni testo della procedura guidata viene da qui.
# Nomi dei cmdlet, parametri e segnaposto non si traducono.

items-done = {$done}/{$total} completati
header-session = sessione {$name}
downtime = tempo di inattività
pane-stages = Fasi
pane-detail = Dettaglio
pane-filter-results = Filtro "{$filter}": {$count ->
    [one] 1 elemento
   *[other] {$count} elementi
}
no-items = Nessun elemento qui.
no-notes = Nessuna nota: premere n per scriverne una.

too-small-title = Terminale troppo piccolo
too-small-body = Il terminale è {$width}×{$height}. pchat-migrate richiede almeno {$min_width}×{$min_height}: ingrandire la finestra o ridurre il carattere.
too-small-quit = Premere q per uscire; la sessione è salvata.

kind-manual = manuale
kind-probe = verifica
kind-task = attività
inferred-badge = dedotto: verificare nel lab
state-todo = da fare
state-done = completato
state-skipped = ignorato
state-blocked = bloccato
state-failed = non riuscito
state-by = da {$who} il {$when}
saving = salvataggio…
passed = superato
failed = non riuscito

section-guidance = Cosa fare
section-commands = Comandi
section-proof = Prova del completamento
section-pitfalls = Insidie
section-notes = Note
section-evidence = Evidenze
section-source = Fonte
job-available = Premere r per eseguire il processo {$job}; il risultato resta come evidenza.
more-differences = …e altre {$count} differenze (pchat-migrate verify --json le elenca tutte)
more-warnings = …e altri {$count} avvisi

job-stats = {$rate}/s · ETA {$eta} · trascorso {$elapsed} · {$mb} MB/s
job-cancelling = annullamento…
job-running-hint = c annulla il processo; la schermata resta aggiornata.
job-done-hint = r lo esegue di nuovo.

job-export = Esportazione
job-import-whatif = Importazione (-WhatIf)
job-import = Importazione
job-verify = Verifica

hint-stages = Scegliere una fase e premere Invio per aprirne l'elenco di controllo.
hint-item = spazio: completato · s ignora · b blocca · n note · tab dettaglio
hint-item-job = r esegue il processo · spazio: completato · n note
hint-detail = ↑/↓ scorre il dettaglio · esc torna all'elenco
hint-filter = Filtro: {$filter}▏ (Invio lo mantiene, esc lo cancella)

key-quit = esci (tutto è salvato)
key-help = tutti i tasti
key-back = indietro: chiudi, cancella il filtro o vai a sinistra
key-focus-next = riquadro successivo
key-focus-prev = riquadro precedente
key-up = su
key-down = giù
key-page-up = pagina su
key-page-down = pagina giù
key-top = primo
key-bottom = ultimo
key-enter = apri
key-left = indietro
key-toggle-done = completato / da fare
key-skip = ignora (con motivo)
key-block = bloccato (con motivo)
key-fail = segna non riuscito
key-reset = torna a da fare
key-notes = note
key-run = esegui processo
key-cancel = annulla processo
key-rollback = elenco di rollback
key-filter = filtro
key-preview = anteprima -WhatIf: leggere e confermare gli avvisi
key-sessions = cambia o avvia una sessione di migrazione
key-theme = tema: scuro, chiaro, mono
key-mouse = cattura del mouse sì/no
key-keep-filter = mantieni filtro
key-clear-filter = cancella filtro
key-save-close = salva e chiudi
key-save = salva
key-submit = conferma
key-cancel-overlay = annulla
key-override = forza (registrato)
key-close = chiudi

title-help = Tasti
help-global = Ovunque
help-stages = Elenco fasi
help-items = Elenco di controllo e dettaglio
help-overlays = Nelle finestre di dialogo
help-notes-keys = Editor note: scrivere liberamente; esc o ctrl-s salva (nulla di scritto va perso).
help-reason-keys = Motivo: scrivere il perché, Invio salva, esc annulla.
help-confirm-keys = Conferma inattività: digitare la parola indicata, Invio conferma, esc torna indietro.
help-gate-keys = Fasi precedenti aperte: o prosegue e registra la forzatura, esc torna indietro.
help-filter-keys = Filtro (/): digitare per cercare titoli, ID, numeri dell'elenco e cmdlet; Invio mantiene, esc cancella.
help-mouse = Mouse: il clic seleziona una fase o un elemento, la rotellina scorre; m disattiva la cattura per selezionare testo.
help-markers = Elenco di controllo: [ ] da fare  [x] completato  [-] ignorato  [!] bloccato  [F] non riuscito  [*] salvataggio. Tipi: M manuale, P verifica, T attività; > ha un processo, ~ processo in corso.

title-notes = Note — {$item}
notes-hint = esc: salva e chiudi · ctrl-s: salva
title-reason = Segna {$state}: {$item}
reason-question = Perché? (registrato con il nome e l'ora)
reason-placeholder = motivo
reason-hint = Invio salva · esc annulla
title-confirm = Inattività: {$stage}
confirm-body = Questa fase rientra nella finestra di inattività. Gli utenti perdono la chat di gruppo fino al termine di Avvio e verifica.
confirm-type = Digitare {$word} e premere Invio per avviarla; l'operazione viene registrata.
confirm-placeholder = digitare {$word}
confirm-hint = Invio conferma · esc torna indietro
title-gate = Ci sono fasi precedenti ancora aperte
gate-body = Si sta per lavorare sulla fase "{$stage}" mentre fasi precedenti hanno elementi aperti:
open-count = {$count ->
    [one] 1 elemento aperto
   *[other] {$count} elementi aperti
}
gate-hint = o: prosegui comunque (registrato nel registro di controllo) · esc: indietro
message-hint = esc, invio o q chiude · j/k, g/G scorrono
title-job-unavailable = Questo processo non può essere eseguito qui
title-whatif-first = Eseguire prima l'anteprima -WhatIf

status-saving = salvataggio…
status-saved = salvato: {$what}
status-save-failed = NON salvato: {$error}
status-recorded = registrato nel registro di controllo
status-unchanged = nessuna modifica
status-reason-required = il motivo è obbligatorio
status-not-confirmed = non confermato; nessuna modifica
status-confirm-mismatch = non è {$word}; digitarlo esattamente
status-no-job = nessun processo: usare i comandi indicati, poi segnare completato
status-no-running-job = nessun processo in corso per questo elemento
status-cancelling = annullamento al prossimo batch…
status-job-already-running = questo processo è già in corso
status-job-starting = avvio di {$job}…
status-job-started = {$job} in corso
status-job-cancelled = {$job} annullato; nulla è stato modificato
status-mouse-on = cattura del mouse attiva
status-mouse-off = cattura del mouse disattivata: ora si può selezionare testo
status-name-required = il nome è obbligatorio
status-jobs-running = processo in corso: attenderlo o annullarlo prima di cambiare sessione
session-name-placeholder = nome della nuova sessione
title-sessions = Sessioni di migrazione
sessions-hint = Invio apre · n nuova sessione · esc chiude
sessions-current = (aperta ora)
rollback-unavailable = dopo la dismissione: nessun rollback
status-rollback-unavailable = Dismissione iniziata: rollback non più possibile (pool legacy forse rimosso)
title-preview = Anteprima importazione (-WhatIf)
preview-ran = anteprima eseguita il {$when}
preview-no-warnings = Nessun avviso: l'importazione accetterà il pacchetto così com'è.
preview-warnings = {$count ->
    [one] 1 avviso: leggerlo prima dell'importazione
   *[other] {$count} avvisi: leggerli prima dell'importazione
}
preview-hint = a: ho letto gli avvisi, conferma (registrato)
preview-acknowledged = Confermato (registrato nel registro di controllo) · esc chiude
status-already-acknowledged = questa anteprima è già confermata
import-ready = L'importazione può partire: l'anteprima è superata e gli avvisi sono confermati.
import-no-preview = Nessuna anteprima -WhatIf: eseguire prima l'elemento 46 (prova dell'importazione).
import-preview-failed = L'ultima anteprima -WhatIf non è riuscita: correggere quanto segnalato e rieseguirla.
import-preview-stale = L'ultima anteprima non è più valida (il pacchetto è stato riesportato, o il laboratorio ricreato, dopo di essa): rieseguire l'anteprima -WhatIf.
import-not-acknowledged = Leggere e confermare prima gli avvisi -WhatIf (p apre l'anteprima, a conferma).

# Screens: pools, pilot, troubleshooting, window; report and diagnostics
screen-runbook = Runbook
screen-pools = Pool
screen-pilot = Pilota
screen-troubleshoot = Diagnosi
screen-window = Finestra
key-screen-runbook = runbook: fasi ed elenchi di controllo
key-screen-pools = pool: stato in tempo reale e chi raggiunge quale pool
key-screen-pilot = utenti pilota e casi di test
key-screen-troubleshoot = sintomi noti, verifiche e soluzioni
key-screen-window = finestra di inattività: piano e reale
key-write-report = scrivi il report di approvazione (Markdown e HTML)
key-diagnostics = raccogli la diagnostica in un zip
key-probe-now = verifica ora
key-toggle-pool = arresta/avvia pool lab
key-lookup-user = cerca un utente
key-import-topology = importa topologia
key-pilot-pass = superato
key-pilot-fail = non superato (con nota)
key-pilot-na = non applicabile
key-pilot-todo = di nuovo da fare
key-prev-case = caso di test precedente
key-next-case = caso successivo
key-pilot-add = aggiungi utenti profilo
key-pilot-csv = importa utenti pilota da CSV
key-run-checks = esegui verifiche
key-save-plan = stima e salva il piano
key-step-start = passo avviato
key-step-finish = passo finito
hint-pools = Pool in tempo reale; x arresta o avvia un pool lab; / cerca un utente.
hint-pilot = Pilota: ←/→ scegli il caso, p superato, f non superato, a n/a.
hint-troubleshoot = ↑/↓ scegli un sintomo · r esegue le verifiche · PgUp/PgDn o invio: dettaglio
hint-window = Finestra: e stima il piano, s/f segnano un passo.
input-hint = invio conferma · esc annulla
cert-warnings = {$count ->
    [one] 1 avviso certificato
   *[other] {$count} avvisi certificato
}
pools-title-probed = Pool — verificati alle {$when}, giro {$round}
pools-title-waiting = Pool — in attesa della prima verifica
pools-header = stato    pool                           prodotto                           porte ultimo cambio
pool-not-probed = Non ancora verificato.
pool-changes = Cambi di stato recenti
pool-state-up = Attivo
pool-state-degraded = Parziale
pool-state-down = Inattivo
pool-state-unknown = Non noto
reach-yes = sì
reach-no = no
reach-contradicted = i documenti non concordano
reach-unknown = non noto
matrix-title = Chi raggiunge quale pool (client × pool)
matrix-client = client
matrix-legend = ✓ lo raggiungono ora, ✗ no, ? non si sa; / spiega un utente.
lookup-title = Ricerca utente
lookup-placeholder = sip:utente@contoso.com
lookup-unknown = {$sip} non è nel profilo: aggiungilo in [[users]] per un verdetto
title-lookup = Cerca un utente (URI SIP)
title-topology-file = File di topologia (Get-CsTopology -AsXml o .tbxml)
title-pilot-csv = CSV utenti pilota (sip,display_name,client)
title-pilot-note = Perché non è riuscito per {$user}?
title-topology = Importazione topologia
title-topology-failed = Topologia non letta
topology-placeholder = percorso del file di topologia
topology-merged = Unito in {$file}; riavvia la procedura per usarlo.
topology-lab-note = Il profilo lab è incorporato: per tenere questi pool esegui pchat-migrate topology import {$file} --merge-into PROFILE.toml
status-probing = verifica di tutti i pool in corso…
status-no-monitor = il monitor non è attivo
status-toggling-pool = cambio di {$pool}…
status-pool-started = {$pool} avviato (registrato)
status-pool-stopped = {$pool} arrestato (registrato)
status-reading-topology = lettura della topologia…
status-no-data-dir = nessuna cartella dati: nulla scritto
status-writing-report = scrittura del report…
status-report-written = report scritto: {$file}
status-collecting = raccolta diagnostica…
status-diagnostics-written = diagnostica scritta: {$file}
pools-header-narrow = stato    pool                           porte ultimo cambio
title-script = Controlla prima dell'esecuzione: {$job}
script-runs-on = Eseguito su {$host} · sha256 {$sha}… (registrato all'approvazione)
script-user = Account (DOMINIO\utente)
script-password = Password (mai salvata né mostrata)
script-password-for = Password per {$user} (mai salvata né mostrata)
script-hint = invio esegue · tab campo · pgsu/pggiù scorri · esc annulla
password-placeholder = password
user-placeholder = DOMINIO\utente
status-not-run = non eseguito; nulla è cambiato

# Window screen: the downtime plan, then each step against it
window-title-plan = Piano del fermo — prenotare {$window}
window-title-no-plan = Piano del fermo — non ancora stimato
window-info-title = La finestra
window-loading = Caricamento del piano…
window-no-plan = Nessun piano: e stima la finestra dalla prova in laboratorio e dalla dimensione dell'origine.
window-col-step = passo
window-col-planned = durata
window-col-start = inizio
window-col-end = fine
window-col-elapsed = reale
window-col-state = stato
window-col-gauge = progresso
window-col-basis = base
window-state-pending = da iniziare
window-state-running = in orario
window-state-late = IN RITARDO
window-state-done = fatto
window-state-done-late = fatto tardi
window-step-stop-services = Arresto servizi
window-step-backups = Backup finali
window-step-export = Esportazione
window-step-import-whatif = Importazione -WhatIf
window-step-import = Importazione
window-step-file-copy = Copia file caricati
window-step-endpoint = Endpoint legacy
window-step-start = Avvio Persistent Chat
window-step-verify = Verifica
window-book = Prenotare {$window}: i passi richiedono {$steps}, × {$factor} per ciò che il laboratorio non mostra.
window-booked = Prenotata {$start} → termina {$end}.
window-started = Iniziata {$start} → la finestra termina {$end}.
window-not-booked = Non prenotata: la finestra termina {$window} dopo l'inizio del primo passo.
window-progress-fits = Trascorso {$elapsed}; a questo ritmo i passi richiedono {$projected}: entro la finestra.
window-progress-over = Trascorso {$elapsed}; a questo ritmo i passi richiedono {$projected}: {$over} OLTRE la finestra.
window-selected = {$step}: {$basis}
window-actual = Reale: {$source}, iniziato {$start}.
window-size = Origine: {$messages} messaggi; database legacy {$mb} MB.
window-saved = Piano salvato {$when} da {$who} (registro di controllo: plan-saved).
window-rates = Velocità misurate nella prova in laboratorio di questa sessione:
window-plan-rates = Velocità usate dal piano:
window-rate = {$job}: {$rate} msg/s — {$source}
window-rate-missing = {$job}: non misurata — provarla: pchat-migrate {$command}
window-missing-rate = Manca la velocità di {$step}: provarla in laboratorio (pchat-migrate {$command}), poi premere di nuovo e.
window-invalid = {$field}: {$problem}
window-no-size = Dimensione dell'origine sconosciuta: eseguire prima l'esportazione in questa sessione (o creare il laboratorio).

# Il piano del fermo a parole. Traduzione non ancora rivista da un madrelingua.
plan-basis-fixed = fisso
plan-basis-no-messages = nessun messaggio da spostare
plan-basis-messages = {$messages} messaggi a {$rate} msg/s ({$source})
plan-basis-size = {$mb} MB a {$rate} MB/s
plan-basis-files-unsized = {$posts} messaggi con file; dimensione della cartella dei file caricati sconosciuta: misurarla (elemento 37) e stimare di nuovo
plan-basis-no-file-posts = nessun messaggio con file nell'origine: niente da copiare
plan-basis-verify = fisso {$minutes} min + confronto dei database su {$messages} messaggi a {$rate} msg/s ({$source})
rate-entered = inserito dall'amministratore
rate-lab = sessione di laboratorio "{$session}": {$messages} messaggi in {$seconds} s ({$job}, {$when})
rate-job-export = processo di esportazione
rate-job-import-whatif = processo di importazione -WhatIf
rate-job-import = processo di importazione
rate-job-verify = processo di verifica
rate-job-other = processo {$kind}
actual-marked = segnato da {$who}
actual-marked-by-two = segnato da {$started} e {$finished}
actual-job-run = {$job}, esecuzione {$runs} ({$status})
actual-job-runs = {$job}, esecuzioni {$runs} ({$status})
actual-checklist = elenco di controllo: {$closed} di {$total} elementi chiusi
job-run-running = in corso
job-run-succeeded = riuscito
job-run-failed = non riuscito
job-run-cancelled = annullato
job-run-interrupted = interrotto
job-run-other = {$status}
datetime-utc = {$weekday} {$date} {$time} UTC
weekday-mon = lun
weekday-tue = mar
weekday-wed = mer
weekday-thu = gio
weekday-fri = ven
weekday-sat = sab
weekday-sun = dom
status-estimating = stima della finestra di fermo…
status-counting-messages = conteggio dei messaggi nel database legacy del laboratorio…
status-plan-saved = piano salvato: prenotare {$window} (registrato)
status-plan-failed = nessun piano: {$error}
status-step-started = {$step} iniziato (registrato)
status-step-finished = {$step} finito dopo {$elapsed} (registrato)
status-step-refused = {$step}: NON registrato: {$error}

# Troubleshoot screen
title-ts-symptoms = Sintomi noti ({$count})
ts-catalog-error = Impossibile caricare il catalogo dei sintomi: {$error}
ts-sees = Cosa vede l'amministratore:
ts-inferred = Dedotto: la soluzione o una verifica si basa su una deduzione.
ts-items = Voci del runbook: {$items}
ts-user = Utente delle verifiche: {$user} (l'ultima ricerca nella schermata Pool)
ts-no-user = Nessun utente scelto: le verifiche su un utente richiedono una ricerca nella schermata Pool (2, poi /).
ts-results = Ultimi risultati
ts-running = Verifiche in corso…
ts-no-results = Nessuna esecuzione: r esegue le verifiche.
ts-run-at = {$when} da {$who}: {$summary}
ts-unsaved = Non registrato: {$error}
ts-checks = Verifiche
ts-expect = atteso: {$text}
ts-fix = Soluzione
ts-source = Fonte: {$source}
ts-kind-probe = sonda
ts-kind-cmdlet = cmdlet
ts-kind-sql = SQL
key-ts-match = confronta un errore
key-ts-events = leggi un registro eventi
title-ts-match = Incolla o scrivi un errore, un evento o una frase (invio confronta)
title-ts-event-log = File di registro (.evtx, JSON di Get-WinEvent) o ore da leggere
ts-match-placeholder = es. Event ID 53530 The Persistent Chat database connection was lost
ts-events-placeholder = percorso di un file .evtx esportato, o ore da leggere (produzione)
title-ts-matches = Sintomi corrispondenti ({$count}) · esc: tutti
title-ts-no-match = Nessuna corrispondenza: i più vicini ({$count}) · esc: tutti
ts-query = Per: {$text}
ts-query-none = Nessun sintomo corrisponde: {$text}
ts-why = Perché corrisponde (punteggio {$score}): {$why}
ts-cause = Causa:
ts-disagreement = Le fonti non concordano: {$text}
status-ts-matched = {$count} sintomi corrispondono; prima il migliore
status-ts-no-match = Nessun sintomo corrisponde; mostrati i {$closest} più vicini
status-ts-pull-production = Leggere i registri dai server richiede un profilo di produzione
status-ts-reading = Lettura di {$file}…
status-ts-events = Registro letto: {$kept} eventi pertinenti, {$symptoms} sintomi trovati
status-ts-events-damaged = Registro danneggiato, letto in parte: {$kept} eventi, {$symptoms} sintomi
ts-kind-manual = a mano
ts-mark-passed = OK
ts-mark-failed = KO
ts-mark-unknown = ?
ts-mark-manual = A MANO
ts-mark-not-run = NON ESEGUITO
status-ts-running = verifiche in corso: {$symptom}…
status-ts-busy = verifiche ancora in corso: {$symptom}
status-ts-recorded = registrato su {$item}: {$failed} KO, {$passed} OK, {$open} aperte
status-ts-crashed = le verifiche si sono fermate per un errore interno; vedi il log

# Import preview: the package inventory
inventory-title = Il pacchetto contiene
inventory-reading = lettura del pacchetto…
inventory-nodes = {$categories} categorie ({$subcategories} da appiattire), {$rooms} chat room ({$disabled} disabilitate)
inventory-principals = {$users} utenti, {$groups} gruppi, {$federated} federati, {$affiliations} affiliazioni
inventory-messages = {$messages} messaggi, {$files} file pubblicati (copiare i file a mano)
inventory-no-content = nessun file di contenuto: il pacchetto non ha cronologia chat

# Pilot screen
pilot-case-sign-in = Accede
pilot-case-sees-rooms = Vede le stanze
pilot-case-joins-room = Entra in stanza
pilot-case-posts = Pubblica
pilot-case-history = Vede lo storico
pilot-case-legacy-endpoint = Endpoint legacy
pilot-case-files = File
pilot-short-sign-in = Login
pilot-short-sees-rooms = Stanze
pilot-short-joins-room = Entra
pilot-short-posts = Pubbl
pilot-short-history = Storia
pilot-short-legacy-endpoint = Legacy
pilot-short-files = File
pilot-desc-sign-in = Accedere al client; raggiunge il pool Persistent Chat.
pilot-desc-sees-rooms = Compaiono le stanze di cui l'utente fa parte (Lync 2013: solo se l'utente è ospitato su Lync 2013 e abilitato da un criterio Persistent Chat).
pilot-desc-joins-room = Aprire una delle stanze (prima la stanza di prova).
pilot-desc-posts = Pubblicare un messaggio; un altro utente pilota lo vede.
pilot-desc-history = La stanza mostra lo storico, messaggi migrati compresi.
pilot-desc-legacy-endpoint = Un client Lync 2010 Group Chat o Communicator 2007 R2 Group Chat raggiunge il nuovo pool tramite l'endpoint legacy senza cambiare le impostazioni.
pilot-desc-files = Pubblicare un file e aprirne uno pubblicato prima della migrazione (solo client legacy: Lync 2013 non pubblica né apre file nelle stanze).
pilot-mark-pass = ok
pilot-mark-fail = KO
pilot-mark-na = n/a
pilot-mark-todo = attesa
pilot-yes = sì
pilot-no = no
pilot-unknown = non noto
pilot-grid-title = Pilota: {$pass} superati · {$fail} falliti · {$todo} da fare · {$users ->
    [one] 1 utente
   *[other] {$users} utenti
}
pilot-loading = Lettura del pilota…
pilot-empty = Nessun utente pilota. A aggiunge gli utenti del profilo su Lync 2013; i importa un file CSV (sip,display_name,client).
pilot-col-user = utente / client
pilot-col-done = superati
pilot-row-done = superati per test
pilot-counts = {$pass} ok · {$fail} KO · {$na} n/a · {$todo} da fare
pilot-detail-title = {$case} — {$user}
pilot-detail-user = {$sip} · {$client} · pool {$pool} (Lync 2013: {$on2013}) · criterio chat: {$policy}
pilot-saving = Salvataggio…
pilot-detail-result = Esito: {$result}
pilot-auto-na = non si applica a questo client
pilot-detail-recorded = Registrato da {$who}, {$when}
pilot-detail-not-recorded = Non ancora provato.
pilot-this-test = Questo test:
pilot-this-user = Questo utente:
pilot-coex-title = Voci di coesistenza alimentate dal pilota
pilot-coex-proven = provata
pilot-coex-not-proven = non ancora
pilot-coex-note = Solo evidenze: spuntare le voci nel runbook (1).
pilot-progress-title = Avanzamento per test
pilot-note-placeholder = cosa è successo (obbligatorio)
pilot-csv-placeholder = percorso del file CSV
title-pilot-csv-failed = Utenti pilota non importati
status-pilot-load-failed = impossibile leggere il pilota: {$error}
status-pilot-no-users = nessun utente pilota: A aggiunge dal profilo, i importa un CSV
status-pilot-still-saving = salvataggio di questo test in corso; attendere
status-pilot-not-applicable = {$case} non si applica a {$client}: a registra n/a
status-pilot-saved = {$user}: {$case} → {$result} (salvato)
status-pilot-evidence-failed = evidenza NON allegata: {$error}
status-pilot-none-in-profile = nessun utente del profilo su Lync 2013; {$count} esclusi: {$names}
status-pilot-adding = aggiunta di {$count} utenti pilota…
status-pilot-added = pilota: {$added} aggiunti, {$updated} aggiornati, {$unchanged} invariati
status-pilot-added-left-out = {$added} aggiunti, {$updated} aggiornati; {$count} esclusi: {$names}
status-pilot-imported = {$file}: {$added} aggiunti, {$updated} aggiornati, {$unchanged} invariati
status-pilot-import-progress = aggiunta utenti pilota: {$done} di {$total}… (esc interrompe)
status-pilot-import-stopping = interruzione dell'importazione dopo il blocco in salvataggio…
status-pilot-import-stopped = {$file}: interrotto dopo {$done} di {$total} utenti (quelli sono salvati)
status-pilot-import-busy = un'importazione CSV è ancora in corso; attendi o interrompila con esc
status-pilot-reading-csv = lettura di {$file}…
status-pilot-csv-failed = {$file} NON importato: vedere il messaggio
status-pilot-csv-empty = {$file} non elenca utenti pilota
status-pilot-note-needed = un test fallito richiede una nota su cosa è successo

# One truth: states, gates and losses derived from evidence
title-refused = Non consentito
status-saved-evidence = salvato: {$what}; la checklist segue le prove: {$evidence}
import-losses-not-accepted = L'anteprima -WhatIf rifiuta elementi che andrebbero persi: accettare ogni perdita per nome (L nell'anteprima, registrato), oppure correggere ed esportare di nuovo.
status-no-loss-to-accept = Nessun elemento rifiutato attende di essere accettato in questa anteprima.
status-override-reason-required = Serve un motivo di almeno 10 caratteri; è registrato col proprio nome.
state-by-evidence = , dalle prove registrate
state-proof = ↳ prova: { $proof }
proven-by = Provato dalle prove: {$rule} (spuntato da esse, non a mano)
preview-counts =
    {$errors ->
        [one] 1 errore
       *[other] {$errors} errori
    } (non importati) · {$warnings ->
        [one] 1 avviso
       *[other] {$warnings} avvisi
    } (importati, modificati) · {$notes ->
        [one] 1 nota
       *[other] {$notes} note
    }
preview-losses = Errori: {$count} elementi NON saranno importati. Ognuno va accettato per nome prima dell'importazione:
loss-accepted = [perdita accettata]
loss-open = [non accettata]
preview-hint-losses = L: accetta per nome la perdita dell'elemento rifiutato selezionato (o del prossimo) (digitato, registrato) · a: conferma gli avvisi
title-irreversible = Questo chiude la possibilità di rollback
irreversible-body = "{$item}" non si può annullare: dopo, il pool Group Chat legacy non c'è più. Serve una verifica superata e attuale.
irreversible-type = Per procedere comunque, digitare il motivo e premere invio; viene registrato come forzatura di {$who}.
title-accept-loss = Accettare una perdita
accept-loss-body = L'importazione NON importerà {$code} "{$item}".
status-legacy-probe = lettura del database legacy per le voci 9 e 32…

# Overlays as components (issue 11)
key-new-session = dai un nome a una nuova sessione
key-next-field = campo successivo
key-scroll = scorri
key-fold = apri o chiudi un gruppo
key-acknowledge = conferma gli avvisi (registrato)
key-accept-loss = accetta per nome la perdita di un elemento rifiutato
help-input-keys = Campi di una riga: scrivi, invio conferma, esc annulla (nulla viene registrato).
help-scroll-keys = Guida, messaggi e anteprima -WhatIf: j/k o ↑/↓ una riga, pgup/pgdn una pagina, g/G prima/ultima.
help-stage-markers = Elenco delle fasi: x tutto completato, + in parte completato, ! elementi non riusciti o bloccati.
help-hint = esc, q, ? o invio chiude · j/k, pgup/pgdn, g/G scorrono
help-pools = Pool e coesistenza
help-pilot = Pilota
help-troubleshoot = Risoluzione dei problemi
help-window = Finestra di fermo
scroll-position = righe {$first}–{$last} di {$total}
preview-group-accepted = {$accepted}/{$total} accettate
preview-group-hint = {$count} risultati con codice {$code}: invio apre o chiude il gruppo.
preview-no-match = Nessun risultato corrisponde al filtro.
preview-position = riga {$row} di {$rows} · ] gruppo successivo · [ gruppo precedente · x apri o chiudi tutto
topology-profile-lab = Il profilo lab è incorporato e non è stato modificato. Per tenere questi pool esegui pchat-migrate topology import FILE --merge-into PROFILE.toml.
topology-profile-unchanged = Il profilo {$file} descrive già questa topologia: non è stato modificato nulla.
topology-profile-changed = Il profilo {$file} è stato modificato ({$count} modifiche); riavvia la procedura per usarlo:
topology-profile-failed = Il profilo non è stato modificato: {$error}
