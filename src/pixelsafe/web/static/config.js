// The policy table, from the server (GET /api/config): which kinds are redacted by default,
// their names, the styles, what each privacy mode hides and the passphrase rule. The page
// keeps no copy of these rules; loadPolicy() runs before anything else.
import { api } from './api.js';

export const policy = {
  kinds: [],
  /** kinds all of whose findings are redacted on export unless unticked */
  redacted: new Set(),
  /** kind -> its labels redacted on export unless unticked (identity documents, whole) */
  redactedLabels: {},
  /** risk level -> its title ("High risk") */
  riskTitles: {},
  /** privacy mode -> the risk levels it hides */
  hidden: {},
  styles: [],
  /** the gallery's orders: [{sort, title}], the first the default */
  sorts: [],
  minPassphrase: 0,
  /** the most photos one export of several takes */
  maxExport: 0,
};

export async function loadPolicy() {
  const config = await api('/api/config');
  policy.kinds = config.kinds;
  policy.redacted = new Set(config.kinds.filter((k) => k.redact_by_default).map((k) => k.kind));
  policy.redactedLabels = Object.fromEntries(config.kinds.map((k) => [k.kind, new Set(k.redacted_labels)]));
  policy.riskTitles = Object.fromEntries(config.risk_levels.map((r) => [r.level, r.title]));
  policy.hidden = Object.fromEntries(Object.entries(config.hidden).map(([mode, levels]) => [mode, new Set(levels)]));
  policy.styles = config.styles;
  policy.sorts = config.sorts;
  policy.minPassphrase = config.min_passphrase;
  policy.maxExport = config.max_export;
  return policy;
}

/** The finding is redacted on export unless the user unticks it (the policy table's rule). */
export function redactedByDefault(f) {
  return policy.redacted.has(f.kind) || Boolean(policy.redactedLabels[f.kind]?.has(f.label));
}
