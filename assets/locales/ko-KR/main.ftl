# pchat-migrate — 한국어 메시지. 마법사의 모든 문자열은 여기에서 나옵니다.
# cmdlet 이름, 매개 변수, 자리 표시자는 번역하지 않습니다.
# 한국어에는 복수 범주가 없으므로 선택자는 *[other]만 씁니다.

items-done = {$done}/{$total} 완료
header-session = 세션 {$name}
downtime = 가동 중지
pane-stages = 단계
pane-detail = 세부 정보
pane-filter-results = 필터 "{$filter}": {$count ->
   *[other] 항목 {$count}개
}
no-items = 항목이 없습니다.
no-notes = 메모가 없습니다. n을 눌러 작성하십시오.

too-small-title = 터미널이 너무 작음
too-small-body = 이 터미널은 {$width}×{$height}입니다. pchat-migrate에는 최소 {$min_width}×{$min_height}가 필요합니다. 창을 키우거나 글꼴을 줄이십시오.
too-small-quit = q를 누르면 종료합니다. 세션은 저장되어 있습니다.

kind-manual = 수동
kind-probe = 점검
kind-task = 작업
inferred-badge = 추론: 랩에서 확인
state-todo = 할 일
state-done = 완료
state-skipped = 건너뜀
state-blocked = 차단됨
state-failed = 실패
state-by = {$who}, {$when}
saving = 저장 중…
passed = 통과
failed = 실패

section-guidance = 할 일
section-commands = 명령
section-proof = 완료 증거
section-pitfalls = 주의 사항
section-notes = 메모
section-evidence = 증거
section-source = 출처
job-available = r을 누르면 {$job} 작업을 실행합니다. 결과는 증거로 보관됩니다.
more-differences = …외 차이 {$count}개 (pchat-migrate verify --json으로 전체 표시)
more-warnings = …외 경고 {$count}개

job-stats = {$rate}/s · 남은 시간 {$eta} · 경과 {$elapsed} · {$mb} MB/s
job-cancelling = 취소 중…
job-running-hint = c: 작업 취소. 화면은 계속 갱신됩니다.
job-done-hint = r: 다시 실행.

job-export = 내보내기
job-import-whatif = 가져오기(-WhatIf)
job-import = 가져오기
job-verify = 확인

hint-stages = 단계를 고르고 Enter를 누르면 검사 목록이 열립니다.
hint-item = space 완료 · s 건너뛰기 · b 차단 · n 메모 · tab 세부 정보
hint-item-job = r 작업 실행 · space 완료 · n 메모
hint-detail = ↑/↓ 세부 정보 스크롤 · esc 목록으로
hint-filter = 필터: {$filter}▏ (Enter 유지, esc 지우기)

key-quit = 종료(모두 저장됨)
key-help = 모든 키
key-back = 뒤로: 닫기, 필터 지우기, 왼쪽으로
key-focus-next = 다음 창
key-focus-prev = 이전 창
key-up = 위로
key-down = 아래로
key-page-up = 페이지 위로
key-page-down = 페이지 아래로
key-top = 처음
key-bottom = 마지막
key-enter = 열기
key-left = 뒤로
key-toggle-done = 완료 / 할 일
key-skip = 건너뛰기(사유 입력)
key-block = 차단됨(사유 입력)
key-fail = 실패로 표시
key-reset = 할 일로 되돌리기
key-notes = 메모
key-run = 작업 실행
key-cancel = 작업 취소
key-rollback = 롤백 목록
key-filter = 필터
key-preview = -WhatIf 미리 보기: 경고를 읽고 확인
key-sessions = 마이그레이션 세션 전환 또는 시작
key-theme = 테마: 어둡게, 밝게, 단색
key-mouse = 마우스 캡처 켜기/끄기
key-keep-filter = 필터 유지
key-clear-filter = 필터 지우기
key-save-close = 저장 후 닫기
key-save = 저장
key-submit = 확인
key-cancel-overlay = 취소
key-override = 무시하고 진행(기록됨)
key-close = 닫기

title-help = 키
help-global = 어디서나
help-stages = 단계 목록
help-items = 검사 목록과 세부 정보
help-overlays = 대화 상자에서
help-notes-keys = 메모 편집기: 자유롭게 입력. esc 또는 ctrl-s로 저장(입력한 내용은 버려지지 않음).
help-reason-keys = 사유: 이유를 입력, Enter 저장, esc 취소.
help-confirm-keys = 가동 중지 확인: 표시된 단어 입력, Enter 확인, esc 뒤로.
help-gate-keys = 이전 단계 미완료: o 계속 진행(기록됨), esc 뒤로.
help-filter-keys = 필터(/): 제목, ID, 검사 목록 번호, cmdlet 검색. Enter 유지, esc 지우기.
help-mouse = 마우스: 클릭으로 단계나 항목 선택, 휠로 스크롤. m으로 캡처를 끄면 텍스트 선택 가능.
help-markers = 표시: [ ] 할 일  [x] 완료  [-] 건너뜀  [!] 차단됨  [F] 실패  [*] 저장 중. 종류: M 수동, P 점검, T 작업. > 작업 있음, ~ 작업 실행 중.

title-notes = 메모 — {$item}
notes-hint = esc: 저장 후 닫기 · ctrl-s: 저장
title-reason = {$state}(으)로 표시: {$item}
reason-question = 사유는? (이름, 시간과 함께 기록됨)
reason-placeholder = 사유
reason-hint = Enter 저장 · esc 취소
title-confirm = 가동 중지: {$stage}
confirm-body = 이 단계는 가동 중지 기간에 속합니다. 시작 및 확인이 끝날 때까지 사용자는 그룹 채팅을 쓸 수 없습니다.
confirm-type = {$word}을(를) 입력하고 Enter를 누르면 시작합니다. 이 작업은 기록됩니다.
confirm-placeholder = {$word} 입력
confirm-hint = Enter 확인 · esc 뒤로
title-gate = 이전 단계가 아직 열려 있음
gate-body = 이전 단계에 열린 항목이 있는 상태에서 "{$stage}" 단계를 진행하려고 합니다:
open-count = {$count ->
   *[other] 열린 항목 {$count}개
}
gate-hint = o: 그래도 진행(감사 기록에 남음) · esc: 뒤로
message-hint = esc 닫기
title-job-unavailable = 이 작업은 여기서 실행할 수 없음
title-whatif-first = 먼저 -WhatIf 미리 보기 실행

status-saving = 저장 중…
status-saved = 저장됨: {$what}
status-save-failed = 저장 안 됨: {$error}
status-recorded = 감사 기록에 남김
status-unchanged = 변경 없음
status-reason-required = 사유가 필요합니다
status-not-confirmed = 확인 안 됨. 변경 없음
status-confirm-mismatch = {$word}이(가) 아닙니다. 정확히 입력하십시오
status-no-job = 작업 없음: 표시된 명령으로 수행한 뒤 완료로 표시
status-no-running-job = 이 항목에 실행 중인 작업 없음
status-cancelling = 다음 배치에서 취소…
status-job-already-running = 이 작업은 이미 실행 중
status-job-starting = {$job} 시작 중…
status-job-started = {$job} 실행 중
status-job-cancelled = {$job} 취소됨. 변경 없음
status-mouse-on = 마우스 캡처 켜짐
status-mouse-off = 마우스 캡처 꺼짐: 이제 텍스트 선택 가능
status-name-required = 이름이 필요합니다
status-jobs-running = 작업 실행 중: 세션 전환 전에 기다리거나 취소하십시오
session-name-placeholder = 새 세션 이름
title-sessions = 마이그레이션 세션
sessions-hint = Enter 열기 · n 새 세션 · esc 닫기
sessions-current = (열려 있음)
rollback-unavailable = 서비스 해제 이후: 롤백 불가
status-rollback-unavailable = 서비스 해제 시작됨: 롤백 불가(레거시 풀이 없을 수 있음)
title-preview = 가져오기 미리 보기(-WhatIf)
preview-ran = 미리 보기 실행: {$when}
preview-no-warnings = 경고 없음: 패키지를 그대로 가져옵니다.
preview-warnings = {$count ->
   *[other] 경고 {$count}개: 가져오기 전에 읽으십시오
}
preview-hint = a: 경고를 읽음, 확인(기록됨) · ↑/↓ 스크롤 · esc 닫기
preview-acknowledged = 확인됨(감사 기록에 남음) · esc 닫기
status-already-acknowledged = 이 미리 보기는 이미 확인됨
import-ready = 가져오기 가능: 미리 보기를 통과했고 경고를 확인했습니다.
import-no-preview = -WhatIf 미리 보기가 없습니다. 먼저 항목 46(가져오기 시험 실행)을 실행하십시오.
import-preview-failed = 최근 -WhatIf 미리 보기가 실패했습니다. 보고된 문제를 고치고 다시 실행하십시오.
import-preview-stale = 최근 미리 보기 이후 패키지를 다시 내보냈습니다. -WhatIf 미리 보기를 다시 실행하십시오.
import-not-acknowledged = 먼저 -WhatIf 경고를 읽고 확인하십시오(p 미리 보기 열기, a 확인).
