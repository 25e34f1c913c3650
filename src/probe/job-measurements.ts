/** One clip submitted to a job API, and every state it went through. */
export interface JobSubmission {
  index: number;
  /** Each state the API reported, with ms since submission (the first poll that saw it). */
  states: { state: string; atMs: number }[];
  /** ms from submission until the API answered the create request. */
  acceptedMs: number;
  /** ms until the API reported completion. */
  doneMs: number | null;
  /** ms until the result was downloaded and could be played. */
  playableMs: number | null;
  /** (playable - submitted) / duration of the result (the clip sent, when the result's length is unknown). */
  realTimeFactor: number | null;
  /** Length of the video that came back, s. */
  resultDurationS: number | null;
  framesBack: number;
  /** Frames of the result whose frame-ID code was readable. */
  framesIdentified: number;
  /** True when a result URL was available before the job reported completion. */
  resultBeforeDone: boolean;
  error: string | null;
}

/** What probing a job API measured. */
export interface JobMeasurements {
  clipDurationS: number;
  clipFrames: number;
  submissions: JobSubmission[];
  /** Median real-time factor over the completed submissions after the first (the warm ones), else the first. */
  realTimeFactor: number | null;
}
