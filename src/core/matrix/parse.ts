/**
 * Parsers from untrusted server JSON (`unknown`) to wire types. They validate rather than
 * cast, read own properties only, never throw, and return a {@link Result}.
 * Keys/query and account-data parsers live in their own files and are re-exported here.
 */
import { arrayItems, fail, ok, type Result } from '../result.ts';
import {
  describeType, isJsonObject, isNonNegativeInteger, isString, isStringArray, own, PROTO_KEY,
  quote, setOwn,
} from './json-guards.ts';
import type {
  SignaturesUploadFailure, SignaturesUploadResponse, UiaChallenge, VersionsResponse,
  WhoamiResponse,
} from './types.ts';
import { say } from '../words/say.ts';

export * from './parse-keys-query.ts';
export * from './parse-account-data.ts';

/**
 * @see https://spec.matrix.org/v1.18/client-server-api/#get_matrixclientversions
 * Non-string versions and non-boolean feature flags are dropped.
 */
export function parseVersions(value: unknown): Result<VersionsResponse> {
  if (!isJsonObject(value)) return fail(say('core_mx_versions_not_object', describeType(value)));
  const versions = own(value, 'versions');
  if (!Array.isArray(versions)) return fail(say('core_mx_versions_no_array'));
  const result: VersionsResponse = { versions: arrayItems(versions).filter(isString) };
  const features = own(value, 'unstable_features');
  if (isJsonObject(features)) {
    const kept: Record<string, boolean> = {};
    for (const [name, enabled] of Object.entries(features)) {
      if (name !== PROTO_KEY && typeof enabled === 'boolean') setOwn(kept, name, enabled);
    }
    result.unstable_features = kept;
  }
  return ok(result);
}

/** `@localpart:server`, loosely: the server part is not validated here. */
function looksLikeUserId(value: unknown): value is string {
  return isString(value) && value.startsWith('@') && value.indexOf(':') > 1;
}

/** @see https://spec.matrix.org/v1.18/client-server-api/#get_matrixclientv3accountwhoami */
export function parseWhoami(value: unknown): Result<WhoamiResponse> {
  if (!isJsonObject(value)) return fail(say('core_mx_whoami_not_object', describeType(value)));
  const userId = own(value, 'user_id');
  if (!looksLikeUserId(userId)) return fail(say('core_mx_whoami_no_user_id'));
  const result: WhoamiResponse = { user_id: userId };
  const deviceId = own(value, 'device_id');
  if (deviceId !== undefined && deviceId !== null) {
    if (!isString(deviceId)) return fail(say('core_mx_whoami_device_id', describeType(deviceId)));
    result.device_id = deviceId;
  }
  const isGuest = own(value, 'is_guest');
  if (typeof isGuest === 'boolean') result.is_guest = isGuest;
  return ok(result);
}

function parseFailure(value: unknown): SignaturesUploadFailure {
  if (!isJsonObject(value)) {
    return { errcode: 'M_UNKNOWN', error: say('core_mx_failure_malformed', describeType(value)) };
  }
  const errcode = own(value, 'errcode');
  const failure: SignaturesUploadFailure = { errcode: isString(errcode) ? errcode : 'M_UNKNOWN' };
  const error = own(value, 'error');
  const message = own(value, 'message');
  const status = own(value, 'status');
  if (isString(error)) failure.error = error;
  if (isString(message)) failure.message = message;
  if (isNonNegativeInteger(status)) failure.status = status;
  return failure;
}

/**
 * `failures` is always present in the result (empty when everything was accepted).
 * A malformed failure entry stays a failure (`M_UNKNOWN`): it is never read as success.
 * @see https://spec.matrix.org/v1.18/client-server-api/#post_matrixclientv3keyssignaturesupload
 */
export function parseSignaturesUploadResponse(value: unknown): Result<Required<SignaturesUploadResponse>> {
  if (!isJsonObject(value)) return fail(say('core_mx_signatures_upload_not_object', describeType(value)));
  const failures: Required<SignaturesUploadResponse>['failures'] = {};
  const raw = own(value, 'failures');
  if (raw === undefined || raw === null) return ok({ failures });
  if (!isJsonObject(raw)) return fail(say('core_mx_signatures_upload_failures_not_object', describeType(raw)));
  for (const [userId, perKey] of Object.entries(raw)) {
    if (!isJsonObject(perKey)) {
      return fail(say('core_mx_signatures_upload_user_not_object', quote(userId), describeType(perKey)));
    }
    const kept: Record<string, SignaturesUploadFailure> = {};
    for (const [keyId, failure] of Object.entries(perKey)) setOwn(kept, keyId, parseFailure(failure));
    setOwn(failures, userId, kept);
  }
  return ok({ failures });
}

/**
 * A UIA challenge from a 401 body. Fails (meaning "not UIA") unless `flows` is an array and,
 * if it has entries, at least one is `{stages: string[]}`; malformed flows are dropped.
 * A 401 `M_UNKNOWN_TOKEN` has no `flows` and is therefore never UIA (docs/matrix-api.md#uia-challenge).
 * @see https://spec.matrix.org/v1.18/client-server-api/#user-interactive-authentication-api
 */
export function parseUiaChallenge(value: unknown): Result<UiaChallenge> {
  if (!isJsonObject(value)) return fail(say('core_mx_uia_not_object', describeType(value)));
  const rawFlows = own(value, 'flows');
  if (!Array.isArray(rawFlows)) return fail(say('core_mx_uia_no_flows'));
  const flows: UiaChallenge['flows'] = [];
  for (const flow of rawFlows) {
    const stages = isJsonObject(flow) ? own(flow, 'stages') : undefined;
    if (isStringArray(stages)) flows.push({ stages: [...stages] });
  }
  if (rawFlows.length > 0 && flows.length === 0) return fail(say('core_mx_uia_no_flow'));

  const params: Record<string, unknown> = {};
  const rawParams = own(value, 'params');
  if (isJsonObject(rawParams)) {
    for (const [stage, p] of Object.entries(rawParams)) if (stage !== PROTO_KEY) setOwn(params, stage, p);
  }
  const completed = own(value, 'completed');
  const challenge: UiaChallenge = {
    flows,
    params,
    completed: Array.isArray(completed) ? arrayItems(completed).filter(isString) : [],
    raw: value,
  };
  const session = own(value, 'session');
  const errcode = own(value, 'errcode');
  const error = own(value, 'error');
  if (isString(session)) challenge.session = session;
  if (isString(errcode)) challenge.errcode = errcode;
  if (isString(error)) challenge.error = error;
  return ok(challenge);
}
