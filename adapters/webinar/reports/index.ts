/** @module Platform attendance reports → `ReportInterval`s → `WebinarRecord`s (pure). See ./README.md. */
export * from './common.ts';
export * from './records.ts';
export { parseTeamsAttendanceCsv, parseTeamsGraphAttendance, teamsColumnOf, type TeamsCsvMeta, type TeamsCsvOptions, type TeamsGraphMeta } from './teams.ts';
export { parseZoomParticipantsCsv, parseZoomParticipantsJson, type ZoomApiMeta, type ZoomCsvMeta, type ZoomCsvOptions } from './zoom-report.ts';
export { parseGotoAttendees, type GotoMeta } from './goto.ts';
export { parseWebexParticipants, type WebexMeta } from './webex.ts';
