import { randomUUID } from 'node:crypto';
import { FieldbenchError } from '@shared/errors';
import { MqttProfileInput, type MqttProfileInputT, type MqttProfileSummaryT } from '@shared/contract/mqtt-contract';
import type { VaultStore } from '../vault';

/** The vault section the MQTT service owns. */
export const MQTT_SECTION = 'mqtt';

export type StoredProfile = MqttProfileInputT & { id: string; updatedAt: string };

export interface ProfileSecrets {
  password?: string;
  satToken?: string;
}

/** What the service keeps in the vault: profiles and, apart from them, their secrets. */
export interface MqttSection {
  version: 1;
  profiles: Record<string, StoredProfile>;
  secrets: Record<string, ProfileSecrets>;
}

const emptySection = (): MqttSection => ({ version: 1, profiles: {}, secrets: {} });

/** `null` clears a secret, a string sets it, `undefined` keeps what is stored. */
export type SecretUpdate = string | null | undefined;

export function profileUrl(p: Pick<MqttProfileInputT, 'protocol' | 'host' | 'port' | 'path'>): string {
  const host = p.host.includes(':') && !p.host.startsWith('[') ? `[${p.host}]` : p.host;
  const path = p.protocol === 'ws' || p.protocol === 'wss' ? p.path || '/mqtt' : '';
  return `${p.protocol}://${host}:${p.port}${path}`;
}

export function usesTls(p: Pick<MqttProfileInputT, 'protocol'>): boolean {
  return p.protocol === 'mqtts' || p.protocol === 'wss';
}

/** True when TLS is used and server verification was switched off. */
export function isInsecure(p: MqttProfileInputT): boolean {
  return usesTls(p) && p.tls?.verifyServer === false;
}

export function summarizeProfile(p: StoredProfile, secrets: ProfileSecrets | undefined): MqttProfileSummaryT {
  return {
    ...p,
    hasPassword: secrets?.password !== undefined,
    hasSatToken: secrets?.satToken !== undefined,
    insecure: isInsecure(p),
    url: profileUrl(p),
  };
}

/**
 * Connection profiles in the vault's 'mqtt' section. Secrets sit beside the profiles, never inside them,
 * so nothing that lists or exports profiles can leak one by accident.
 */
export class MqttProfileStore {
  constructor(
    private readonly vault: VaultStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private section(): Readonly<MqttSection> {
    return this.vault.getSection<MqttSection>(MQTT_SECTION, emptySection());
  }

  list(): MqttProfileSummaryT[] {
    const s = this.section();
    return Object.values(s.profiles)
      .map((p) => summarizeProfile(p, s.secrets[p.id]))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The stored profile; throws 'mqtt.unknownProfile' when there is none with this id. */
  get(id: string): StoredProfile {
    const p = this.section().profiles[id];
    if (!p) throw new FieldbenchError('mqtt.unknownProfile', `There is no saved MQTT connection with id ${id}. It may have been deleted; refresh the list.`);
    return structuredClone(p);
  }

  secretsOf(id: string): ProfileSecrets {
    return { ...this.section().secrets[id] };
  }

  /** Creates or replaces a profile; secrets follow SecretUpdate semantics. */
  async save(input: MqttProfileInputT, password?: SecretUpdate, satToken?: SecretUpdate): Promise<MqttProfileSummaryT> {
    const profile: StoredProfile = { ...structuredClone(MqttProfileInput.parse(input)), id: input.id ?? `mq-${randomUUID().slice(0, 8)}`, updatedAt: this.now().toISOString() };
    return this.vault.updateSection<MqttSection, MqttProfileSummaryT>(MQTT_SECTION, emptySection(), (draft) => {
      draft.profiles[profile.id] = profile;
      const secrets = { ...draft.secrets[profile.id] };
      if (password === null) delete secrets.password;
      else if (password !== undefined) secrets.password = password;
      if (satToken === null) delete secrets.satToken;
      else if (satToken !== undefined) secrets.satToken = satToken;
      if (Object.keys(secrets).length > 0) draft.secrets[profile.id] = secrets;
      else delete draft.secrets[profile.id];
      return summarizeProfile(profile, secrets);
    });
  }

  /** Saves several profiles in one vault write (imports). */
  async saveMany(inputs: MqttProfileInputT[]): Promise<MqttProfileSummaryT[]> {
    const at = this.now().toISOString();
    const profiles = inputs.map((i) => ({ ...structuredClone(i), id: i.id ?? `mq-${randomUUID().slice(0, 8)}`, updatedAt: at }));
    return this.vault.updateSection<MqttSection, MqttProfileSummaryT[]>(MQTT_SECTION, emptySection(), (draft) => {
      for (const p of profiles) draft.profiles[p.id] = p;
      return profiles.map((p) => summarizeProfile(p, draft.secrets[p.id]));
    });
  }

  async remove(id: string): Promise<boolean> {
    return this.vault.updateSection<MqttSection, boolean>(MQTT_SECTION, emptySection(), (draft) => {
      const existed = draft.profiles[id] !== undefined;
      delete draft.profiles[id];
      delete draft.secrets[id];
      return existed;
    });
  }
}
