// The policy table, from the server (GET /api/config): which kinds are redacted by default,
// their names, the styles, what each privacy mode hides and the passphrase rule. The page
// keeps no copy of these rules; loadPolicy() runs before anything else.
import { api } from './api.js';

export const policy = {
  kinds: [],
  /** kinds whose findings are redacted on export unless unticked */
  redacted: new Set(),
  /** risk level -> its title ("High risk") */
  riskTitles: {},
  /** privacy mode -> the risk levels it hides */
  hidden: {},
  styles: [],
  minPassphrase: 0,
};

export async function loadPolicy() {
  const config = await api('/api/config');
  policy.kinds = config.kinds;
  policy.redacted = new Set(config.kinds.filter((k) => k.redact_by_default).map((k) => k.kind));
  policy.riskTitles = Object.fromEntries(config.risk_levels.map((r) => [r.level, r.title]));
  policy.hidden = Object.fromEntries(Object.entries(config.hidden).map(([mode, levels]) => [mode, new Set(levels)]));
  policy.styles = config.styles;
  policy.minPassphrase = config.min_passphrase;
  return policy;
}
