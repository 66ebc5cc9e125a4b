import type { SettingsReader } from '@sms/config-kit';
import { CPU_NICE_RANGE, CPU_POLICIES, type CpuPolicy } from '../../runtime/cpu-priority';
import type { RunMode } from '../run-mode';

/** The settings of the process itself: how it runs, where it listens, what it logs, how it shares the CPU. */

const RUN_MODES: readonly RunMode[] = ['embedded', 'distributed'];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** `config.http`: the HTTP server of the process (the API, the webhooks, the embedded simulator and console). */
export interface HttpGroup {
  /** PORT (0: any free port). */
  readonly port: number;
  /**
   * Interface the HTTP server binds. Loopback by default: the embedded gateway serves its operator API and the
   * simulator on this port, so nothing outside the machine reaches it unless a deployment says so (docker-compose,
   * k8s and the Dockerfile set 0.0.0.0, where the container's own network is the boundary).
   */
  readonly host: string;
  /**
   * Base URL providers use to reach our webhooks (status callbacks are built from it), without its trailing
   * slashes; empty: this process's own address (publicBaseUrlOf).
   */
  readonly publicBaseUrl: string;
  /** The web console's static build, served at /console by intake and the embedded gateway. */
  readonly consoleDir: string;
}

/**
 * `config.metrics`: where Prometheus scrapes the process. Deployments set a port of its own (k8s and compose use
 * 9464) and scrape it there; the API port serves /metrics only with a token.
 */
export interface MetricsGroup {
  /** Port of a listener that serves only GET /metrics (0: none). */
  readonly port: number;
  /** Address the metrics listener binds: loopback unless the deployment's scraper needs more. */
  readonly host: string;
  /**
   * Bearer token for /metrics (a secret). Set: the API port serves /metrics to `Authorization: Bearer <token>` and
   * the metrics listener requires it too. Empty: the API port does not serve /metrics at all.
   */
  readonly token: string;
}

/** `config.logging`: the structured log of the process. */
export interface LoggingGroup {
  readonly level: LogLevelName;
  /**
   * Extra structured-log keys whose values are censored, on top of the built-in set (body, text, to, from,
   * sender, recipient, msisdn, ...; redact.ts), at any depth and in any case. The built-in keys cannot be
   * switched off. Free text is not rewritten (docs/exposure.md).
   */
  readonly redactKeys: readonly string[];
}

/** `config.simulator`: the provider simulator run inside this process (the embedded default) under /sim. */
export interface SimulatorGroup {
  readonly enabled: boolean;
  /** Port of the simulated SMSC when enabled (0: any free port). */
  readonly smppPort: number;
}

/**
 * `config.cpu`: the CPU priority of this process, applied to every thread at boot. For services that drain work
 * others have acknowledged (dlr-processor) when they share cores with dlr-ingest on one host: a receipt storm's
 * answers then never wait for a core behind its processing (ADR 0014, ADR 0016). Across containers the scheduler
 * weighs cgroups instead (k8s CPU requests, compose `cpu_shares`), so there the deployment says it.
 */
export interface CpuGroup {
  /** Linux nice value, 0 (default) to 19: a service may only lower its priority. */
  readonly nice: number;
  /**
   * `other` (default, time sharing) or `idle` (SCHED_IDLE: runs only on CPU nothing else wants, and gives a core up
   * as soon as another thread wakes on it, where nice 19 still made a storm's answers wait out the tier's turn).
   */
  readonly policy: CpuPolicy;
}

/** `config.auth`: the API key the embedded gateway installs at start. */
export interface AuthGroup {
  /** A secret; empty: the embedded gateway generates one and prints it (apps/gateway bootstrap-api-key.ts). */
  readonly bootstrapApiKey: string;
}

/**
 * One of `choices`, spelt exactly: unlike {@link SettingsReader.oneOf} these variables never took another case,
 * and a deployment that spells one differently is refused rather than read.
 */
function exactChoice<T extends string>(read: SettingsReader, key: string, choices: readonly T[], fallback: T): T {
  const value = read.string(key, {
    default: fallback,
    pattern: new RegExp(`^(${choices.join('|')})$`),
    problem: `must be one of ${choices.join(', ')}`,
  });

  return choices.includes(value as T) ? (value as T) : fallback;
}

const PORT_RANGE = { min: 0, max: 65_535 } as const;

/** MODE: read first, since the groups' rules depend on it (distributed needs MySQL, Kafka, Redis ...). */
export const readRunMode = (read: SettingsReader): RunMode => exactChoice(read, 'MODE', RUN_MODES, 'embedded');

/** A secret's shortest length: shorter ones are guessable. */
function secretOfAtLeast(read: SettingsReader, key: string, minLength: number): string {
  const value = read.secret(key, { default: '' });
  read.require(value === '' || value.length >= minLength, key, `must be at least ${minLength} characters`);

  return value;
}

export function readHttpGroup(read: SettingsReader): HttpGroup {
  return {
    port: read.int('PORT', { default: 3000, ...PORT_RANGE }),
    host: read.string('HOST', { default: '127.0.0.1' }),
    publicBaseUrl: read.url('PUBLIC_BASE_URL', { default: '' }),
    consoleDir: read.string('CONSOLE_DIR', { default: 'dist/apps/console' }),
  };
}

export function readMetricsGroup(read: SettingsReader): MetricsGroup {
  return {
    port: read.int('METRICS_PORT', { default: 0, ...PORT_RANGE }),
    host: read.string('METRICS_HOST', { default: '127.0.0.1' }),
    token: secretOfAtLeast(read, 'METRICS_TOKEN', 16),
  };
}

export function readLoggingGroup(read: SettingsReader): LoggingGroup {
  const redactKeys = read.string('LOG_REDACT_KEYS', {
    default: '',
    pattern: /^[A-Za-z0-9_]*(,[A-Za-z0-9_]+)*$/,
    problem: 'must be a comma-separated list of keys',
  });

  return {
    level: exactChoice(read, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    redactKeys: Object.freeze(redactKeys.split(',').filter((key) => key !== '')),
  };
}

export function readSimulatorGroup(read: SettingsReader): SimulatorGroup {
  return {
    enabled: read.bool('SIMULATOR_ENABLED', { default: true }),
    smppPort: read.int('SMPP_SIM_PORT', { default: 2775, ...PORT_RANGE }),
  };
}

export function readCpuGroup(read: SettingsReader): CpuGroup {
  return {
    nice: read.int('CPU_NICE', { default: 0, ...CPU_NICE_RANGE }),
    policy: exactChoice(read, 'CPU_POLICY', CPU_POLICIES, 'other'),
  };
}

export function readAuthGroup(read: SettingsReader): AuthGroup {
  return { bootstrapApiKey: secretOfAtLeast(read, 'SMS_GATEWAY_API_KEY', 24) };
}
