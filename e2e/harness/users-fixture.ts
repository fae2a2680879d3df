// The people around an account, built on the test Synapse through the real API, for the users
// report (docs/matrix-api.md#user-verification): rooms, m.direct, identities and my signatures on
// their master keys, including a user who reset their identity after I verified them and a
// user-signing key of mine replaced after I verified someone.
import { signJson, UiaRequiredError, v3, type Ed25519 } from '../../src/core/index.ts';
import { buildAccount, type FixtureAccount } from './identity.ts';
import {
  crossSigningKeyObject, generateCrossSigningKeys, uploadCrossSigningKeys,
} from './cross-signing-fixture.ts';
import { clientFor, fixtureEd25519, generateKeyPair, type CrossSigningKeys, type KeyPair, type Session } from './fixture-common.ts';
import { callJson, registerUser, type TestUser } from './users.ts';
import { crossSigningSecrets, storeSecrets } from './secret-storage-fixture.ts';

type Hs = { baseUrl: string; registrationSharedSecret: string };

export type Person = { user: TestUser; keys?: CrossSigningKeys };

/** Who is who, and what the users report must say about each. */
export type UsersFixture = {
  me: FixtureAccount;
  /** The user-signing key I had before the replacement (signed `gina`). */
  replacedUsk: KeyPair;
  people: Record<'alice' | 'bob' | 'dave' | 'erin' | 'frank' | 'gina' | 'helen', Person>;
  /** In an unencrypted room only: must not be listed. */
  ivan: Person;
  /** userId → expected state. */
  expected: Record<string, string>;
  encryptedRoomId: string;
};

/** Create a room as `owner` and make `members` join it. */
export async function roomWith(owner: Session, members: readonly TestUser[], encrypted: boolean): Promise<string> {
  const initial_state = encrypted ? [{ type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } }] : [];
  const { room_id } = await callJson<{ room_id: string }>(owner.baseUrl, 'POST', '/_matrix/client/v3/createRoom', {
    token: owner.accessToken, body: { preset: 'public_chat', initial_state },
  });
  for (const m of members) {
    await callJson(owner.baseUrl, 'POST', `/_matrix/client/v3/join/${encodeURIComponent(room_id)}`, { token: m.accessToken, body: {} });
  }
  return room_id;
}

/** `count` new users, each with a published cross-signing identity. */
export async function peopleWithIdentity(hs: Hs, count: number, ed?: Ed25519): Promise<Required<Person>[]> {
  const edImpl = ed ?? await fixtureEd25519();
  const people: Required<Person>[] = [];
  for (let i = 0; i < count; i++) {
    const user = await registerUser(hs);
    const keys = await generateCrossSigningKeys(edImpl);
    await uploadCrossSigningKeys(user, keys, { ed: edImpl });
    people.push({ user, keys });
  }
  return people;
}

/** `count` new users with identities, in one encrypted room with `me`. */
export async function peopleInRoomWith(hs: Hs, me: Session, count: number, ed?: Ed25519): Promise<Required<Person>[]> {
  const people = await peopleWithIdentity(hs, count, ed);
  await roomWith(me, people.map((p) => p.user), true);
  return people;
}

/** Sign `target`'s master key with my user-signing key `usk` and upload the signature. */
export async function verifyPerson(me: Session, usk: KeyPair, target: Person, ed?: Ed25519): Promise<void> {
  if (target.keys === undefined) throw new Error(`${target.user.userId} has no identity to verify`);
  const backend = ed ?? (await fixtureEd25519());
  const master = crossSigningKeyObject(target.user.userId, 'master', target.keys.master);
  const signed = await signJson(master, { entity: me.userId, keyId: `ed25519:${usk.publicKey}`, seed: usk.seed }, backend);
  await clientFor(me).request('POST', v3('keys', 'signatures', 'upload'), {
    body: { [target.user.userId]: { [target.keys.master.publicKey]: signed } },
  });
}

/** Replace only my user-signing key (signed by my master), with password UIA as Synapse asks. */
export async function replaceUserSigningKey(me: FixtureAccount, ed?: Ed25519): Promise<KeyPair> {
  const backend = ed ?? (await fixtureEd25519());
  const keys = me.crossSigning!;
  const next = await generateKeyPair(backend);
  const body = {
    user_signing_key: await signJson(crossSigningKeyObject(me.user.userId, 'user_signing', next),
      { entity: me.user.userId, keyId: `ed25519:${keys.master.publicKey}`, seed: keys.master.seed }, backend),
  };
  const client = clientFor(me.user);
  try {
    await client.request('POST', v3('keys', 'device_signing', 'upload'), { body });
  } catch (error) {
    if (!(error instanceof UiaRequiredError)) throw error;
    await client.request('POST', v3('keys', 'device_signing', 'upload'), { body: {
      ...body,
      auth: { type: 'm.login.password', identifier: { type: 'm.id.user', user: me.user.userId }, password: me.user.password,
        ...(error.challenge.session === undefined ? {} : { session: error.challenge.session }) },
    } });
  }
  me.crossSigning = { ...keys, userSigning: next };
  // As a regeneration does: secret storage holds the new seed, so the account stays healthy.
  if (me.secretStorage) await storeSecrets(me.user, crossSigningSecrets(me.crossSigning), [me.secretStorage]);
  return next;
}

async function person(hs: Hs, identity: boolean, ed: Ed25519): Promise<Person> {
  const user = await registerUser(hs);
  if (!identity) return { user };
  const keys = await generateCrossSigningKeys(ed);
  await uploadCrossSigningKeys(user, keys, { ed });
  return { user, keys };
}

/**
 * A healthy account and seven people: alice and bob verified by me (bob again after my
 * user-signing key was replaced, alice only by the new key), dave verified and then reset by
 * himself, erin never verified, frank without identity, gina verified only by my replaced
 * user-signing key, helen a direct-chat partner outside any encrypted room; ivan shares only an
 * unencrypted room with me.
 */
export async function buildUsersFixture(hs: Hs): Promise<UsersFixture> {
  const ed = await fixtureEd25519();
  const me = await buildAccount(hs, 'healthy', { devices: 1 });
  const [alice, bob, dave, erin, frank, gina, helen, ivan] = await Promise.all([
    person(hs, true, ed), person(hs, true, ed), person(hs, true, ed), person(hs, true, ed),
    person(hs, false, ed), person(hs, true, ed), person(hs, true, ed), person(hs, true, ed),
  ]);
  const people = { alice: alice!, bob: bob!, dave: dave!, erin: erin!, frank: frank!, gina: gina!, helen: helen! };
  const encryptedRoomId = await roomWith(me.user, [alice!, bob!, dave!, erin!, frank!, gina!].map((p) => p.user), true);
  const dm = await roomWith(me.user, [helen!.user], false);
  await roomWith(me.user, [ivan!.user], false);
  await callJson(me.user.baseUrl, 'PUT', `/_matrix/client/v3/user/${encodeURIComponent(me.user.userId)}/account_data/m.direct`, {
    token: me.user.accessToken, body: { [helen!.user.userId]: [dm] },
  });

  const first = me.crossSigning!.userSigning;
  for (const p of [bob!, dave!, gina!]) await verifyPerson(me.user, first, p, ed);
  // dave resets his identity: his new master key carries no signature of mine.
  const daveKeys = await generateCrossSigningKeys(ed);
  await uploadCrossSigningKeys(dave!.user, daveKeys, { ed });
  dave!.keys = daveKeys;
  const second = await replaceUserSigningKey(me, ed);
  for (const p of [alice!, bob!]) await verifyPerson(me.user, second, p, ed);

  const expected: Record<string, string> = {
    [alice!.user.userId]: 'verified',
    [bob!.user.userId]: 'verified',
    [dave!.user.userId]: 'not-verified',
    [erin!.user.userId]: 'not-verified',
    [frank!.user.userId]: 'no-identity',
    [gina!.user.userId]: 'verified-by-replaced-key',
    [helen!.user.userId]: 'not-verified',
  };
  return { me, replacedUsk: first, people, ivan: ivan!, expected, encryptedRoomId };
}
