// goodhart dashboard: the live server, its websocket sink and the static report. Explicit re-exports.
export { classify as classifyDashboardItem, DASHBOARD_STATE_DEFAULTS, DashboardState } from './dashboard-state.js';
export type {
  ChannelSnapshot,
  DashboardItem,
  DashboardRoute,
  DashboardRow,
  DashboardSample,
  DashboardSnapshot,
  DashboardStateConfig,
  DashboardUpdate,
} from './dashboard-state.js';
export { dashboardSeam } from './dashboard-seam.js';
export type { DashboardHandle, DashboardSeamConfig, DashboardSeamFeed } from './dashboard-seam.js';
export { renderReportHtml, scriptSafeJson } from './page/document.js';
export type { ReportHtmlConfig } from './page/document.js';
export { serveDashboard } from './serve-dashboard.js';
export type {
  DashboardClientStats,
  DashboardServer,
  DashboardSink,
  DashboardStats,
  ServeDashboardConfig,
} from './serve-dashboard.js';
export { toWebSocket } from './to-web-socket.js';
export type { ToWebSocketConfig } from './to-web-socket.js';
