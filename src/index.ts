// goodhart: the library entry point. Explicit re-exports only.
export { EXPECTED_VERDICT, HACK_PATTERNS, Random, simulate } from './sim/index.js';
export type { HackPattern, RewardKind, SimulationConfig } from './sim/index.js';
export { runDetection, scoreAlerts } from './sim/hackbench.js';
export type { AlertPipeline, DetectionRun } from './sim/hackbench.js';
export {
  ALIASES,
  canonicalMetricName,
  canonicalizeMetrics,
  trlRewardStdKind,
  TUNIX_ALIASES,
} from './core/aliases.js';
export type { AliasOptions, CanonicalMetrics, CanonicalName, RewardStdKind } from './core/aliases.js';
export { digestAlerts } from './core/alert-digest.js';
export type { AlertDigest } from './core/alert-digest.js';
export { episodeKey } from './core/condition.js';
export type { Condition } from './core/condition.js';
export {
  decodeAlert,
  decodeRecord,
  decodeRewardEvent,
  decodeStepRecord,
  decodeVerdict,
  recordTypeOf,
} from './core/decode.js';
export type { DecodedEvent, DecodedRecord, RecordType } from './core/decode.js';
export { decodeError, describeValue } from './core/decode-error.js';
export type { DecodeError } from './core/decode-error.js';
export { HYSTERESIS_DEFAULTS, Hysteresis } from './core/hysteresis.js';
export { locateJsonError, parseJsonLine, replacePythonTokens } from './core/json-line.js';
export type { JsonLineError, JsonLineOk, JsonLineResult } from './core/json-line.js';
export { componentMean, componentStd, METRIC } from './core/metric-names.js';
export type { CanonicalMetric } from './core/metric-names.js';
export type { HysteresisConfig } from './core/hysteresis.js';
export { SCHEMA_VERSION, severityRank } from './core/types.js';
export type {
  Alert,
  AlertSignal,
  AlertState,
  Evidence,
  InputProblem,
  Phase,
  RewardEvent,
  SampleRef,
  Severity,
  StepRecord,
  Verdict,
  VerdictReason,
  VerdictStatus,
} from './core/types.js';
export {
  judge,
  PLUMBING_DETECTORS,
  VERDICT_DEFAULTS,
  VERDICT_ORDER,
  verdictAtLeast,
  VerdictJudge,
  verdictRank,
} from './core/verdict.js';
export type { VerdictConfig } from './core/verdict.js';
export { LATE_METRIC, StepSummarizer } from './detectors/step-summary.js';
export type { StepSummaryConfig } from './detectors/step-summary.js';
export { judgeRun } from './pipelines/judge-run.js';
export type { JudgeRunConfig, RunJudgement } from './pipelines/judge-run.js';
export { dashboardSeam } from './server/dashboard-seam.js';
export type { DashboardHandle, DashboardSeamConfig, DashboardSeamFeed } from './server/dashboard-seam.js';
export { classify as classifyDashboardItem, DASHBOARD_STATE_DEFAULTS, DashboardState } from './server/dashboard-state.js';
export type {
  ChannelSnapshot,
  DashboardItem,
  DashboardRoute,
  DashboardRow,
  DashboardSample,
  DashboardSnapshot,
  DashboardStateConfig,
  DashboardUpdate,
} from './server/dashboard-state.js';
export { renderReportHtml, scriptSafeJson } from './server/page/document.js';
export type { ReportHtmlConfig } from './server/page/document.js';
export { serveDashboard } from './server/serve-dashboard.js';
export type {
  DashboardClientStats,
  DashboardServer,
  DashboardSink,
  DashboardStats,
  ServeDashboardConfig,
} from './server/serve-dashboard.js';
export { toWebSocket } from './server/to-web-socket.js';
export type { ToWebSocketConfig } from './server/to-web-socket.js';
export { runCli } from './cli/run.js';
export type { CliIo, DashboardFeed, DashboardSeam, RunCliOptions } from './cli/run.js';
export { ConsoleSink, formatAlert, formatProblem, formatVerdict } from './sinks/console.js';
export type { ConsoleSinkConfig } from './sinks/console.js';
export { ingestedRecord, jsonlLine, JsonlSink, writeJsonl } from './sinks/jsonl.js';
export type { JsonlRecord, JsonlSinkConfig, JsonlSinkResult } from './sinks/jsonl.js';
export { csvField, csvRecord, csvSink, parquetSink } from './sinks/table.js';
export type { ParquetSinkConfig, TableColumn, TableRow, TableSink } from './sinks/table.js';
export { stripControl } from './sinks/terminal.js';
export { DETECT_BYTES, detectFormat, formatByName, formatNames, readHead } from './sources/detect-format.js';
export { DEFAULT_POLL_MS, followLines } from './sources/follow.js';
export type { FollowConfig } from './sources/follow.js';
export type { FormatName, InputFormat, LineFormat, LineParser, WholeFileFormat } from './sources/format.js';
export { goodhartJsonl } from './sources/formats/goodhart-jsonl.js';
export { FORMATS } from './sources/formats/index.js';
export { parsePythonLiteral } from './sources/formats/python-literal.js';
export type { PythonLiteralResult } from './sources/formats/python-literal.js';
export { sampleComponents, sampleComponentsFormat } from './sources/formats/sample-components-jsonl.js';
export type { SampleComponentsConfig } from './sources/formats/sample-components-jsonl.js';
export { trlCompletionsParquet, trlCompletionsParquetFormat } from './sources/formats/trl-completions-parquet.js';
export type { TrlCompletionsConfig } from './sources/formats/trl-completions-parquet.js';
export { trlLogHistory } from './sources/formats/trl-log-history.js';
export { trlStdout, trlStdoutFormat } from './sources/formats/trl-stdout.js';
export type { TrlStdoutConfig } from './sources/formats/trl-stdout.js';
export { trlTrainerState } from './sources/formats/trl-trainer-state.js';
export { verlConsole } from './sources/formats/verl-console.js';
export { verlFileJsonl } from './sources/formats/verl-file-jsonl.js';
export { verlRollout, verlRolloutFormat } from './sources/formats/verl-rollout-jsonl.js';
export type { VerlRolloutConfig } from './sources/formats/verl-rollout-jsonl.js';
export { fromFile, fromFiles, parseLines } from './sources/from-file.js';
export type { FromFileConfig, FromFilesConfig } from './sources/from-file.js';
export { backoffDelay, fromWebSocket, WebSocketClosedError } from './sources/from-websocket.js';
export type { BackoffConfig, FromWebSocketConfig } from './sources/from-websocket.js';
export type { Ingested } from './sources/ingested.js';
export {
  DEFAULT_CHUNK_BYTES,
  DEFAULT_MAX_LINE_BYTES,
  LineSplitter,
  readLines,
  UnreadableInputError,
} from './sources/line-reader.js';
export type { LineItem, LineReaderConfig } from './sources/line-reader.js';
export { DEFAULT_GRACE_MS, DEFAULT_MAX_BUFFERED, mergeByStep, stepOf } from './sources/merge-by-step.js';
export type { MergeByStepConfig } from './sources/merge-by-step.js';
export { completionText, promptText } from './sources/sample-text.js';
export type { ChatMessage } from './sources/sample-text.js';
export { serveIngest } from './sources/serve-ingest.js';
export type { IngestServer, IngestStats, ServeIngestConfig } from './sources/serve-ingest.js';
export { Session } from './sources/session.js';
export type { SessionConfig, SessionStats, SessionWatchBatchConfig, SessionWatchConfig } from './sources/session.js';
export { watch } from './sources/watch.js';
export type { AnyFunction, ArgPick, WatchConfig, WatchHandle, Watched, WatchStats } from './sources/watch.js';
export { watchBatch } from './sources/watch-batch.js';
export type { WatchBatchConfig } from './sources/watch-batch.js';
