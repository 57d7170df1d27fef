# pchat-migrate — mensajes en español. Todo texto del asistente sale de aquí.
# Los nombres de cmdlet, los parámetros y los marcadores de posición no se traducen.

items-done = {$done}/{$total} hechos
header-session = sesión {$name}
downtime = tiempo de inactividad
pane-stages = Fases
pane-detail = Detalle
pane-filter-results = Filtro "{$filter}": {$count ->
    [one] 1 elemento
   *[other] {$count} elementos
}
no-items = No hay elementos.
no-notes = Sin notas: presione n para escribir una.

too-small-title = Terminal demasiado pequeño
too-small-body = Este terminal mide {$width}×{$height}. pchat-migrate necesita al menos {$min_width}×{$min_height}: amplíe la ventana o reduzca la fuente.
too-small-quit = Presione q para salir; la sesión está guardada.

kind-manual = manual
kind-probe = comprobación
kind-task = tarea
inferred-badge = inferido: compruébelo en el laboratorio
state-todo = pendiente
state-done = hecho
state-skipped = omitido
state-blocked = bloqueado
state-failed = con error
state-by = por {$who} el {$when}
saving = guardando…
passed = correcto
failed = con error

section-guidance = Qué hacer
section-commands = Comandos
section-proof = Prueba de que está hecho
section-pitfalls = Problemas habituales
section-notes = Notas
section-evidence = Evidencias
section-source = Fuente
job-available = Presione r para ejecutar el trabajo {$job}; su resultado queda como evidencia.
more-differences = …y {$count} diferencias más (pchat-migrate verify --json las muestra todas)
more-warnings = …y {$count} advertencias más

job-stats = {$rate}/s · ETA {$eta} · transcurrido {$elapsed} · {$mb} MB/s
job-cancelling = cancelando…
job-running-hint = c cancela el trabajo; la pantalla sigue actualizándose.
job-done-hint = r lo vuelve a ejecutar.

job-export = Exportación
job-import-whatif = Importación (-WhatIf)
job-import = Importación
job-verify = Verificación

hint-stages = Elija una fase y presione Entrar para abrir su lista de comprobación.
hint-item = espacio: hecho · s omitir · b bloquear · n notas · tab detalle
hint-item-job = r ejecuta el trabajo · espacio: hecho · n notas
hint-detail = ↑/↓ desplaza el detalle · esc vuelve a la lista
hint-filter = Filtro: {$filter}▏ (Entrar lo mantiene, esc lo borra)

key-quit = salir (todo está guardado)
key-help = todas las teclas
key-back = atrás: cerrar, borrar el filtro o ir a la izquierda
key-focus-next = panel siguiente
key-focus-prev = panel anterior
key-up = arriba
key-down = abajo
key-page-up = página arriba
key-page-down = página abajo
key-top = primero
key-bottom = último
key-enter = abrir
key-left = atrás
key-toggle-done = hecho / pendiente
key-skip = omitir (con motivo)
key-block = bloqueado (con motivo)
key-fail = marcar con error
key-reset = volver a pendiente
key-notes = notas
key-run = ejecutar trabajo
key-cancel = cancelar trabajo
key-rollback = lista de reversión
key-filter = filtro
key-preview = vista previa -WhatIf: leer y confirmar sus advertencias
key-sessions = cambiar o iniciar una sesión de migración
key-theme = tema: oscuro, claro, mono
key-mouse = captura del mouse sí/no
key-keep-filter = mantener filtro
key-clear-filter = borrar filtro
key-save-close = guardar y cerrar
key-save = guardar
key-submit = confirmar
key-cancel-overlay = cancelar
key-override = forzar (queda registrado)
key-close = cerrar

title-help = Teclas
help-global = En todas partes
help-stages = Lista de fases
help-items = Lista de comprobación y detalle
help-overlays = En los cuadros de diálogo
help-notes-keys = Editor de notas: escriba libremente; esc o ctrl-s guarda (no se pierde nada de lo escrito).
help-reason-keys = Motivo: escriba el porqué, Entrar guarda, esc cancela.
help-confirm-keys = Confirmación de inactividad: escriba la palabra indicada, Entrar confirma, esc vuelve atrás.
help-gate-keys = Fases anteriores abiertas: o continúa y registra el forzado, esc vuelve atrás.
help-filter-keys = Filtro (/): escriba para buscar títulos, identificadores, números de la lista y cmdlets; Entrar mantiene, esc borra.
help-mouse = Mouse: el clic selecciona una fase o un elemento, la rueda desplaza; m desactiva la captura para seleccionar texto.
help-markers = Lista de comprobación: [ ] pendiente  [x] hecho  [-] omitido  [!] bloqueado  [F] con error  [*] guardando. Tipos: M manual, P comprobación, T tarea; > tiene trabajo, ~ trabajo en curso.

title-notes = Notas — {$item}
notes-hint = esc: guardar y cerrar · ctrl-s: guardar
title-reason = Marcar {$state}: {$item}
reason-question = ¿Por qué? (se registra con su nombre y la hora)
reason-placeholder = motivo
reason-hint = Entrar guarda · esc cancela
title-confirm = Inactividad: {$stage}
confirm-body = Esta fase forma parte de la ventana de inactividad. Los usuarios no tienen chat de grupo hasta terminar Inicio y revisión.
confirm-type = Escriba {$word} y presione Entrar para iniciarla; queda registrado.
confirm-placeholder = escriba {$word}
confirm-hint = Entrar confirma · esc vuelve atrás
title-gate = Aún hay fases anteriores abiertas
gate-body = Va a trabajar en la fase "{$stage}" mientras fases anteriores tienen elementos abiertos:
open-count = {$count ->
    [one] 1 elemento abierto
   *[other] {$count} elementos abiertos
}
gate-hint = o: continuar igualmente (queda en la auditoría) · esc: volver
message-hint = esc, enter o q cierra · j/k, g/G desplazan
title-job-unavailable = Este trabajo no se puede ejecutar aquí
title-whatif-first = Ejecute primero la vista previa -WhatIf

status-saving = guardando…
status-saved = guardado: {$what}
status-save-failed = NO guardado: {$error}
status-recorded = registrado en la auditoría
status-unchanged = no ha cambiado nada
status-reason-required = el motivo es obligatorio
status-not-confirmed = sin confirmar; no ha cambiado nada
status-confirm-mismatch = eso no es {$word}; escríbalo exactamente
status-no-job = sin trabajo: use los comandos mostrados y márquelo como hecho
status-no-running-job = no hay ningún trabajo en curso para este elemento
status-cancelling = cancelando en el siguiente lote…
status-job-already-running = este trabajo ya está en curso
status-job-starting = iniciando {$job}…
status-job-started = {$job} en curso
status-job-cancelled = {$job} cancelado; no se ha cambiado nada
status-mouse-on = captura del mouse activada
status-mouse-off = captura del mouse desactivada: ya puede seleccionar texto
status-name-required = el nombre es obligatorio
status-jobs-running = hay un trabajo en curso: espere o cancélelo antes de cambiar de sesión
session-name-placeholder = nombre de la nueva sesión
title-sessions = Sesiones de migración
sessions-hint = Entrar abre · n nueva sesión · esc cierra
sessions-current = (abierta ahora)
rollback-unavailable = tras la retirada: sin reversión
status-rollback-unavailable = Retirada iniciada: ya no hay reversión (el grupo heredado puede no existir)
title-preview = Vista previa de la importación (-WhatIf)
preview-ran = vista previa ejecutada el {$when}
preview-no-warnings = Sin advertencias: la importación aceptará el paquete tal cual.
preview-warnings = {$count ->
    [one] 1 advertencia: léala antes de importar
   *[other] {$count} advertencias: léalas antes de importar
}
preview-hint = a: he leído las advertencias, confirmar (registrado)
preview-acknowledged = Confirmado (registrado en la auditoría) · esc cierra
status-already-acknowledged = esta vista previa ya está confirmada
import-ready = La importación puede ejecutarse: la vista previa es correcta y sus advertencias están confirmadas.
import-no-preview = Aún no hay vista previa -WhatIf: ejecute primero el elemento 46 (prueba de la importación).
import-preview-failed = La última vista previa -WhatIf falló: corrija lo que indica y vuelva a ejecutarla.
import-preview-stale = La última vista previa ya no es válida (el paquete se volvió a exportar, o el laboratorio se recreó, después de ella): repita la vista previa -WhatIf.
import-not-acknowledged = Lea y confirme primero las advertencias de -WhatIf (p abre la vista previa, a confirma).

# Screens: pools, pilot, troubleshooting, window; report and diagnostics
screen-runbook = Runbook
screen-pools = Pools
screen-pilot = Piloto
screen-troubleshoot = Diagnóstico
screen-window = Ventana
key-screen-runbook = runbook: fases y listas de comprobación
key-screen-pools = pools: estado en vivo y quién llega a cada pool
key-screen-pilot = usuarios piloto y sus casos de prueba
key-screen-troubleshoot = síntomas conocidos, comprobaciones y soluciones
key-screen-window = ventana de inactividad: plan frente a real
key-write-report = escribir el informe de aprobación (Markdown y HTML)
key-diagnostics = recopilar diagnósticos en un zip
key-probe-now = sondear ahora
key-toggle-pool = detener/iniciar pool del lab
key-lookup-user = buscar un usuario
key-import-topology = importar topología
key-pilot-pass = superado
key-pilot-fail = fallido (con nota)
key-pilot-na = no aplica
key-pilot-todo = volver a pendiente
key-prev-case = caso de prueba anterior
key-next-case = caso siguiente
key-pilot-add = añadir usuarios del perfil
key-pilot-csv = importar usuarios piloto desde CSV
key-run-checks = ejecutar comprobaciones
key-save-plan = estimar y guardar el plan
key-step-start = paso iniciado
key-step-finish = paso terminado
hint-pools = Pools en vivo; x detiene o inicia un pool del lab; / busca un usuario.
hint-pilot = Piloto: ←/→ elija el caso, p superado, f fallido, a n/a.
hint-troubleshoot = ↑/↓ elija un síntoma · r ejecuta las comprobaciones · RePág/AvPág: detalle
hint-window = Ventana: e estima el plan, s/f marcan un paso.
input-hint = intro confirma · esc cancela
cert-warnings = {$count ->
    [one] 1 aviso de certificado
   *[other] {$count} avisos de certificado
}
pools-title-probed = Pools — sondeados {$when}, ronda {$round}
pools-title-waiting = Pools — esperando el primer sondeo
pools-header = estado   pool                           producto                           puertos último cambio
pool-not-probed = Aún no sondeado.
pool-changes = Cambios de estado recientes
pool-state-up = Activo
pool-state-degraded = Parcial
pool-state-down = Caído
pool-state-unknown = Incierto
reach-yes = sí
reach-no = no
reach-contradicted = los documentos no coinciden
reach-unknown = desconocido
matrix-title = Quién llega a cada pool (cliente × pool)
matrix-client = cliente
matrix-legend = ✓ llegan ahora, ✗ no llegan, ? no se sabe; / explica un usuario.
lookup-title = Búsqueda de usuario
lookup-placeholder = sip:usuario@contoso.com
lookup-unknown = {$sip} no está en el perfil: añádalo en [[users]] para obtener un veredicto
title-lookup = Buscar un usuario (URI SIP)
title-topology-file = Archivo de topología (Get-CsTopology -AsXml o .tbxml)
title-pilot-csv = CSV de usuarios piloto (sip,display_name,client)
title-pilot-note = ¿Por qué falló para {$user}?
title-topology = Importación de topología
title-topology-failed = Topología no leída
topology-placeholder = ruta del archivo de topología
topology-merged = Combinado en {$file}; reinicie el asistente para usarlo.
topology-lab-note = El perfil del lab es interno: para conservar estos pools ejecute pchat-migrate topology import {$file} --merge-into PROFILE.toml
status-probing = sondeando todos los pools…
status-no-monitor = el monitor no está en marcha
status-toggling-pool = cambiando {$pool}…
status-pool-started = {$pool} iniciado (registrado)
status-pool-stopped = {$pool} detenido (registrado)
status-reading-topology = leyendo la topología…
status-no-data-dir = sin carpeta de datos: no se escribió nada
status-writing-report = escribiendo el informe…
status-report-written = informe escrito: {$file}
status-collecting = recopilando diagnósticos…
status-diagnostics-written = diagnósticos escritos: {$file}
pools-header-narrow = estado   pool                           puertos último cambio
title-script = Revise antes de ejecutar: {$job}
script-runs-on = Se ejecuta en {$host} · sha256 {$sha}… (se registra al aprobar)
script-user = Cuenta (DOMINIO\usuario)
script-password = Contraseña (nunca se guarda ni se muestra)
script-password-for = Contraseña de {$user} (nunca se guarda ni se muestra)
script-hint = intro ejecuta · tab campo · repág/avpág desplaza · esc cancela
password-placeholder = contraseña
user-placeholder = DOMINIO\usuario
status-not-run = no se ejecutó; nada cambió

# Window screen: the downtime plan, then each step against it
window-title-plan = Plan de inactividad — reservar {$window}
window-title-no-plan = Plan de inactividad — aún sin estimar
window-info-title = La ventana
window-loading = Cargando el plan…
window-no-plan = Sin plan: e estima la ventana a partir del ensayo en el laboratorio y del tamaño del origen.
window-col-step = paso
window-col-planned = plan
window-col-start = inicio
window-col-end = fin
window-col-elapsed = real
window-col-state = estado
window-col-gauge = avance
window-col-basis = base
window-state-pending = no iniciado
window-state-running = a tiempo
window-state-late = CON RETRASO
window-state-done = hecho
window-state-done-late = hecho tarde
window-step-stop-services = Detener servicios
window-step-backups = Copias finales
window-step-export = Exportación
window-step-import-whatif = Importación -WhatIf
window-step-import = Importación
window-step-file-copy = Copiar archivos subidos
window-step-endpoint = Extremo heredado
window-step-start = Iniciar Persistent Chat
window-step-verify = Verificación
window-book = Reservar {$window}: los pasos llevan {$steps}, × {$factor} por lo que el laboratorio no muestra.
window-booked = Reservada {$start} → termina {$end}.
window-started = Iniciada {$start} → la ventana termina {$end}.
window-not-booked = Sin reservar: la ventana termina {$window} después de iniciar el primer paso.
window-progress-fits = Transcurrido {$elapsed}; a este ritmo los pasos llevan {$projected}: dentro de la ventana.
window-progress-over = Transcurrido {$elapsed}; a este ritmo los pasos llevan {$projected}: {$over} FUERA de la ventana.
window-selected = {$step}: {$basis}
window-actual = Real: {$source}, iniciado {$start}.
window-size = Origen: {$messages} mensajes; base de datos heredada {$mb} MB.
window-saved = Plan guardado {$when} por {$who} (registro de auditoría: plan-saved).
window-rates = Velocidades medidas en el ensayo en laboratorio de esta sesión:
window-plan-rates = Velocidades que usa el plan:
window-rate = {$job}: {$rate} msg/s — {$source}
window-rate-missing = {$job}: sin medir — ensáyela: pchat-migrate {$command}
window-missing-rate = Falta la velocidad de {$step}: ensáyela en el laboratorio (pchat-migrate {$command}) y pulse e de nuevo.
window-invalid = {$field}: {$problem}
window-no-size = Tamaño del origen desconocido: ejecute primero la exportación en esta sesión (o cree el laboratorio).

# El plan del tiempo de inactividad en palabras. Traducción aún no revisada por un hablante nativo.
plan-basis-fixed = fijo
plan-basis-no-messages = ningún mensaje que mover
plan-basis-messages = {$messages} mensajes a {$rate} msg/s ({$source})
plan-basis-size = {$mb} MB a {$rate} MB/s
plan-basis-files-unsized = {$posts} mensajes con archivos; se desconoce el tamaño de la carpeta de archivos subidos: mídala (elemento 37) y vuelva a estimar
plan-basis-no-file-posts = ningún mensaje con archivos en el origen: nada que copiar
plan-basis-verify = fijo {$minutes} min + comparación de bases de datos de {$messages} mensajes a {$rate} msg/s ({$source})
rate-entered = introducido por el administrador
rate-lab = sesión de laboratorio "{$session}": {$messages} mensajes en {$seconds} s ({$job}, {$when})
rate-job-export = trabajo de exportación
rate-job-import-whatif = trabajo de importación -WhatIf
rate-job-import = trabajo de importación
rate-job-verify = trabajo de verificación
rate-job-other = trabajo {$kind}
actual-marked = marcado por {$who}
actual-marked-by-two = marcado por {$started} y {$finished}
actual-job-run = {$job}, ejecución {$runs} ({$status})
actual-job-runs = {$job}, ejecuciones {$runs} ({$status})
actual-checklist = lista de comprobación: {$closed} de {$total} elementos cerrados
job-run-running = en curso
job-run-succeeded = correcto
job-run-failed = con errores
job-run-cancelled = cancelado
job-run-interrupted = interrumpido
job-run-other = {$status}
datetime-utc = {$weekday} {$date} {$time} UTC
weekday-mon = lun
weekday-tue = mar
weekday-wed = mié
weekday-thu = jue
weekday-fri = vie
weekday-sat = sáb
weekday-sun = dom
status-estimating = estimando la ventana de inactividad…
status-counting-messages = contando los mensajes de la base de datos heredada del laboratorio…
status-plan-saved = plan guardado: reservar {$window} (registrado)
status-plan-failed = sin plan: {$error}
status-step-started = {$step} iniciado (registrado)
status-step-finished = {$step} terminado tras {$elapsed} (registrado)
status-step-refused = {$step}: NO registrado: {$error}

# Troubleshoot screen
title-ts-symptoms = Síntomas conocidos ({$count})
ts-catalog-error = No se pudo cargar el catálogo de síntomas: {$error}
ts-sees = Lo que ve el administrador:
ts-inferred = Inferido: la solución o una comprobación se basa en una inferencia.
ts-items = Elementos del runbook: {$items}
ts-user = Usuario de las comprobaciones: {$user} (la última búsqueda en la pantalla Grupos)
ts-no-user = Ningún usuario elegido: las comprobaciones de un usuario necesitan una búsqueda en la pantalla Grupos (2, luego /).
ts-results = Últimos resultados
ts-running = Ejecutando las comprobaciones…
ts-no-results = Aún no se ha ejecutado: r ejecuta las comprobaciones.
ts-run-at = {$when} por {$who}: {$summary}
ts-unsaved = No registrado: {$error}
ts-checks = Comprobaciones
ts-expect = se espera: {$text}
ts-fix = Solución
ts-source = Fuente: {$source}
ts-kind-probe = sondeo
ts-kind-cmdlet = cmdlet
ts-kind-sql = SQL
key-ts-match = buscar un error
key-ts-events = leer un registro de eventos
title-ts-match = Pegue o escriba un error, un evento o una frase (intro busca)
title-ts-event-log = Archivo de registro (.evtx, JSON de Get-WinEvent) u horas a leer
ts-match-placeholder = p. ej. Event ID 53530 The Persistent Chat database connection was lost
ts-events-placeholder = ruta de un archivo .evtx exportado, u horas a leer (producción)
title-ts-matches = Síntomas coincidentes ({$count}) · esc: todos
title-ts-no-match = Sin coincidencias: los más cercanos ({$count}) · esc: todos
ts-query = Para: {$text}
ts-query-none = Ningún síntoma coincide: {$text}
ts-why = Por qué coincide (puntuación {$score}): {$why}
ts-cause = Causa:
ts-disagreement = Las fuentes no coinciden: {$text}
status-ts-matched = {$count} síntomas coinciden; primero el mejor
status-ts-no-match = Ningún síntoma coincide; se muestran los {$closest} más cercanos
status-ts-pull-production = Leer los registros de los servidores requiere un perfil de producción
status-ts-reading = Leyendo {$file}…
status-ts-events = Registro leído: {$kept} eventos pertinentes, {$symptoms} síntomas
status-ts-events-damaged = Registro dañado, leído en parte: {$kept} eventos, {$symptoms} síntomas
ts-kind-manual = a mano
ts-mark-passed = OK
ts-mark-failed = FALLO
ts-mark-unknown = ?
ts-mark-manual = A MANO
ts-mark-not-run = NO EJECUTADO
status-ts-running = ejecutando las comprobaciones: {$symptom}…
status-ts-busy = las comprobaciones siguen en curso: {$symptom}
status-ts-recorded = anotado en {$item}: {$failed} FALLO, {$passed} OK, {$open} abiertas
status-ts-crashed = las comprobaciones se detuvieron por un error interno; vea el registro

# Import preview: the package inventory
inventory-title = El paquete contiene
inventory-reading = leyendo el paquete…
inventory-nodes = {$categories} categorías ({$subcategories} a aplanar), {$rooms} salones ({$disabled} deshabilitados)
inventory-principals = {$users} usuarios, {$groups} grupos, {$federated} federados, {$affiliations} afiliaciones
inventory-messages = {$messages} mensajes, {$files} archivos publicados (copie los archivos a mano)
inventory-no-content = no hay archivos de contenido: el paquete no trae historial

# Pilot screen
pilot-case-sign-in = Inicia sesión
pilot-case-sees-rooms = Ve sus salas
pilot-case-joins-room = Entra en sala
pilot-case-posts = Publica
pilot-case-history = Ve el historial
pilot-case-legacy-endpoint = Extremo heredado
pilot-case-files = Archivos
pilot-short-sign-in = Inicio
pilot-short-sees-rooms = Salas
pilot-short-joins-room = Entra
pilot-short-posts = Publ.
pilot-short-history = Hist.
pilot-short-legacy-endpoint = Hered.
pilot-short-files = Arch.
pilot-desc-sign-in = Iniciar sesión en el cliente; llega al grupo de Persistent Chat.
pilot-desc-sees-rooms = Aparecen las salas a las que pertenece el usuario (Lync 2013: solo si está hospedado en Lync 2013 y lo habilita una directiva de Persistent Chat).
pilot-desc-joins-room = Abrir una de las salas (primero la sala de prueba).
pilot-desc-posts = Publicar un mensaje; otro usuario piloto lo ve.
pilot-desc-history = La sala muestra su historial, incluidos los mensajes migrados.
pilot-desc-legacy-endpoint = Un cliente Lync 2010 Group Chat o Communicator 2007 R2 Group Chat llega al nuevo grupo a través del extremo heredado sin cambiar su configuración.
pilot-desc-files = Publicar un archivo y abrir uno publicado antes de la migración (solo clientes heredados: Lync 2013 no publica ni abre archivos en salas).
pilot-mark-pass = ok
pilot-mark-fail = FALLO
pilot-mark-na = n/a
pilot-mark-todo = pend.
pilot-yes = sí
pilot-no = no
pilot-unknown = desconocido
pilot-grid-title = Piloto: {$pass} superadas · {$fail} fallidas · {$todo} pendientes · {$users ->
    [one] 1 usuario
   *[other] {$users} usuarios
}
pilot-loading = Leyendo el piloto…
pilot-empty = Aún no hay usuarios piloto. A añade los usuarios del perfil en Lync 2013; i importa un archivo CSV (sip,display_name,client).
pilot-col-user = usuario / cliente
pilot-col-done = superadas
pilot-row-done = superadas por prueba
pilot-counts = {$pass} ok · {$fail} fallo · {$na} n/a · {$todo} pend.
pilot-detail-title = {$case} — {$user}
pilot-detail-user = {$sip} · {$client} · grupo {$pool} (Lync 2013: {$on2013}) · directiva de chat: {$policy}
pilot-saving = Guardando…
pilot-detail-result = Resultado: {$result}
pilot-auto-na = no se aplica a este cliente
pilot-detail-recorded = Registrado por {$who}, {$when}
pilot-detail-not-recorded = Aún sin probar.
pilot-this-test = Esta prueba:
pilot-this-user = Este usuario:
pilot-coex-title = Elementos de coexistencia que alimenta el piloto
pilot-coex-proven = probado
pilot-coex-not-proven = aún no
pilot-coex-note = Solo evidencias: marque los elementos en el runbook (1).
pilot-progress-title = Avance por prueba
pilot-note-placeholder = qué ocurrió (obligatorio)
pilot-csv-placeholder = ruta del archivo CSV
title-pilot-csv-failed = Usuarios piloto no importados
status-pilot-load-failed = no se puede leer el piloto: {$error}
status-pilot-no-users = sin usuarios piloto: A añade los del perfil, i importa un CSV
status-pilot-still-saving = aún se guarda esta prueba; espere
status-pilot-not-applicable = {$case} no se aplica a {$client}: a registra n/a
status-pilot-saved = {$user}: {$case} → {$result} (guardado)
status-pilot-evidence-failed = evidencia NO adjuntada: {$error}
status-pilot-none-in-profile = ningún usuario del perfil en Lync 2013; {$count} fuera: {$names}
status-pilot-adding = añadiendo {$count} usuarios piloto…
status-pilot-added = piloto: {$added} añadidos, {$updated} actualizados, {$unchanged} sin cambios
status-pilot-added-left-out = {$added} añadidos, {$updated} actualizados; {$count} fuera: {$names}
status-pilot-imported = {$file}: {$added} nuevos, {$updated} actualiz., {$unchanged} iguales
status-pilot-import-progress = añadiendo usuarios piloto: {$done} de {$total}… (esc detiene)
status-pilot-import-stopping = deteniendo la importación tras el lote que se está guardando…
status-pilot-import-stopped = {$file}: detenido tras {$done} de {$total} usuarios (esos están guardados)
status-pilot-import-busy = una importación CSV sigue en curso; espera o detenla con esc
status-pilot-reading-csv = leyendo {$file}…
status-pilot-csv-failed = {$file} NO importado: vea el mensaje
status-pilot-csv-empty = {$file} no contiene usuarios piloto
status-pilot-note-needed = una prueba fallida necesita una nota sobre lo ocurrido

# One truth: states, gates and losses derived from evidence
title-refused = No permitido
status-saved-evidence = guardado: {$what}; la lista sigue a las pruebas: {$evidence}
import-losses-not-accepted = La vista previa -WhatIf rechaza elementos que se perderían: acepte cada pérdida por su nombre (L en la vista previa, registrado), o corríjalo y exporte de nuevo.
status-no-loss-to-accept = Ningún elemento rechazado espera aceptación en esta vista previa.
status-override-reason-required = Escriba un motivo de al menos 10 caracteres; se registra con su nombre.
state-by-evidence = , según las pruebas registradas
state-proof = ↳ prueba: { $proof }
proven-by = Probado por las pruebas: {$rule} (lo marcan ellas, no a mano)
preview-counts =
    {$errors ->
        [one] 1 error
       *[other] {$errors} errores
    } (no se importan) · {$warnings ->
        [one] 1 advertencia
       *[other] {$warnings} advertencias
    } (se importan, cambiados) · {$notes ->
        [one] 1 nota
       *[other] {$notes} notas
    }
preview-losses = Errores: {$count} elementos NO se importarán. Cada uno debe aceptarse por su nombre antes de importar:
loss-accepted = [pérdida aceptada]
loss-open = [no aceptada]
preview-hint-losses = L: aceptar por su nombre la pérdida del elemento rechazado seleccionado (o el siguiente) (escrito, registrado) · a: confirmar advertencias
title-irreversible = Esto termina la opción de reversión
irreversible-body = "{$item}" no se puede deshacer: después, el grupo Group Chat heredado ya no existe. Necesita una verificación superada y vigente.
irreversible-type = Para continuar igualmente, escriba su motivo y pulse intro; se registra como anulación de {$who}.
title-accept-loss = Aceptar una pérdida
accept-loss-body = La importación NO importará {$code} "{$item}".
status-legacy-probe = leyendo la base de datos heredada para los elementos 9 y 32…

# Overlays as components (issue 11)
key-new-session = nombrar una sesión nueva
key-next-field = campo siguiente
key-scroll = desplazar
key-fold = abrir o plegar un grupo
key-acknowledge = confirmar las advertencias (registrado)
key-accept-loss = aceptar por su nombre la pérdida de un elemento rechazado
help-input-keys = Campos de una línea: escriba, enter envía, esc cancela (no se registra nada).
help-scroll-keys = Ayuda, mensajes y la vista previa -WhatIf: j/k o ↑/↓ una línea, pgup/pgdn una página, g/G primera/última.
help-stage-markers = Lista de etapas: x todo hecho, + algo hecho, ! elementos con error o bloqueados.
help-hint = esc, q, ? o enter cierra · j/k, pgup/pgdn, g/G desplazan
help-pools = Pools y coexistencia
help-pilot = Piloto
help-troubleshoot = Solución de problemas
help-window = Ventana de inactividad
scroll-position = líneas {$first}–{$last} de {$total}
preview-group-accepted = {$accepted}/{$total} aceptadas
preview-group-hint = {$count} hallazgos con el código {$code}: enter abre o pliega el grupo.
preview-no-match = Ningún hallazgo coincide con el filtro.
preview-position = fila {$row} de {$rows} · ] grupo siguiente · [ grupo anterior · x abrir o plegar todo
topology-profile-lab = El perfil del lab es interno y no se ha cambiado. Para conservar estos pools ejecute pchat-migrate topology import FICHERO --merge-into PROFILE.toml.
topology-profile-unchanged = El perfil {$file} ya describe esta topología: no se ha cambiado nada.
topology-profile-changed = Se ha cambiado el perfil {$file} ({$count} cambios); reinicie el asistente para usarlo:
topology-profile-failed = No se ha cambiado el perfil: {$error}
