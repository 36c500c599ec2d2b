import { Regime } from './enums';

// EU member states plus the EEA states (Iceland, Liechtenstein, Norway): GDPR applies.
const EEA = new Set([
  'AT',
  'BE',
  'BG',
  'HR',
  'CY',
  'CZ',
  'DK',
  'EE',
  'FI',
  'FR',
  'DE',
  'GR',
  'HU',
  'IE',
  'IT',
  'LV',
  'LT',
  'LU',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SK',
  'SI',
  'ES',
  'SE',
  'IS',
  'LI',
  'NO',
]);

/**
 * The regimes a complaint falls under when the agent does not name them (SPEC §4).
 * `jurisdiction` is an ISO 3166-1 alpha-2 country or an ISO 3166-2 subdivision.
 */
export function deriveRegimes(jurisdiction: string, involvesChildUnder13: boolean): Regime[] {
  const code = jurisdiction.toUpperCase();
  const country = code.slice(0, 2);
  const regimes: Regime[] = [];
  if (EEA.has(country)) regimes.push(Regime.GDPR, Regime.DPF);
  else if (country === 'GB') regimes.push(Regime.UK_GDPR, Regime.DPF);
  else if (country === 'CH') regimes.push(Regime.SWISS_FADP, Regime.DPF);
  else if (code === 'US-CA') regimes.push(Regime.CCPA);
  // COPPA: children under 13 in any US jurisdiction.
  if (country === 'US' && involvesChildUnder13) regimes.push(Regime.COPPA);
  return regimes.length > 0 ? regimes : [Regime.OTHER];
}
