/** Errors of the call layer, in the one FlareError hierarchy. */
import { ErrorCode, FlareError } from '../../codec/errors.ts';

export class CallError extends FlareError {
  override name = 'CallError';

  /** The operation does not fit the current state (join twice, act before join, call while in a call). */
  static invalidState(what: string, details?: Record<string, unknown>): CallError {
    return new CallError(ErrorCode.INVALID_STATE, what, { details });
  }

  /** Media could not be captured or the media connection could not be (re)established. */
  static mediaFailed(what: string, cause?: unknown, details?: Record<string, unknown>): CallError {
    return new CallError(ErrorCode.MEDIA_FAILED, what, { cause, details });
  }

  /** The operation was cancelled (hang-up during a reconnection attempt). */
  static aborted(what = 'aborted'): CallError {
    return new CallError(ErrorCode.ABORTED, what);
  }
}
