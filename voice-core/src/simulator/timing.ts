/** Simulated durations (ms of simulated time; multiplied by timeScale to get real ms). */
export const SIM_TIMING = {
  /** An inbound caller waits this long for `answer`, then hangs up (originator_cancel). */
  inboundAnswerTimeoutMs: 30_000,
  /** Telnyx's default dial `timeout_secs`. */
  defaultDialTimeoutSecs: 30,
  /** Answering-machine analysis after answer. */
  amdAnalysisMs: [2_000, 4_000] as const,
  /** Voicemail greeting length before the beep. */
  voicemailGreetingMs: [4_000, 8_000] as const,
  /** A voicemail records at most this long, then hangs up. */
  voicemailMaxMs: 30_000,
  /** Silence the prospect tolerates before repeating (then hanging up). */
  silenceMs: 8_000,
  /** After the verdict, the prospect hangs up itself if the agent does not. */
  verdictHangupMs: 5_000,
  /** call.cost follows call.hangup after this long. */
  costDelayMs: 800,
  /** Prospect's reaction time before speaking. */
  reactionMs: [400, 1_200] as const,
  /** Agent TTS: fixed + per character (≈ 15 chars/s). */
  speakBaseMs: 300,
  speakPerCharMs: 65,
  /** Prospect speech: fixed + per word (≈ 150 words/min). */
  utteranceBaseMs: 300,
  utterancePerWordMs: 400,
  /** Audio playback length. */
  playbackMs: 3_000,
  /** Telnyx's default time_limit_secs (4 h). */
  timeLimitSecs: 14_400,
} as const;

/** How long the agent's text-to-speech takes to say `text`. */
export function speakMs(text: string): number {
  return SIM_TIMING.speakBaseMs + SIM_TIMING.speakPerCharMs * text.length;
}

/** How long the prospect takes to say `text`. */
export function utteranceMs(text: string): number {
  return SIM_TIMING.utteranceBaseMs + SIM_TIMING.utterancePerWordMs * text.split(/\s+/).filter(Boolean).length;
}
