/**
 * @module What callers outside this folder use of the platform-report readers (pure): the entry
 * points, their result types and codes. The helpers stay in their own modules. See ./README.md.
 */
export { ReportFormatError, type RejectCode, type ReportFormatCode, type ReportRejection, type ReportSkip, type RowIssue, type SkipCode } from './codes.ts';
export type { IntervalNote, ReportInterval, ReportResult, ReportSource } from './interval.ts';
export type { DateOrder } from './rome-local.ts';
export {
  intervalsToRecords,
  personKey,
  reportRecordId,
  type IntervalsToRecordsOptions,
  type MappedReport,
  type NotMapped,
  type NotMappedCode,
} from './records.ts';
export { parseTeamsAttendanceCsv, parseTeamsGraphAttendance, teamsColumnOf, type TeamsCsvMeta, type TeamsCsvOptions, type TeamsGraphMeta } from './teams.ts';
export { parseZoomParticipantsCsv, parseZoomParticipantsJson, type ZoomApiMeta, type ZoomCsvMeta, type ZoomCsvOptions } from './zoom-report.ts';
export { parseGotoAttendees, type GotoMeta } from './goto.ts';
export { parseWebexParticipants, type WebexMeta } from './webex.ts';
