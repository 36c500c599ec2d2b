import { withoutValues } from '../../src/audit/changes';
import { Role } from '../../src/auth/roles';
import { canReadFreeText, FREE_TEXT_FIELDS, FreeTextField, maskFreeText } from '../../src/domain/free-text';

const { AGENT, DPO, COMPLIANCE_OFFICER, ADMIN } = Role;

/** SPEC §3, written out independently: who reads which free text, on an adult's and a child's case. */
function oracle(role: Role, child: boolean, field: FreeTextField): boolean {
  if (role === DPO) return true;
  if (child) return false;
  if (role === AGENT) return true;
  return field === 'summary';
}

describe('canReadFreeText walks every role × case × field of SPEC §3', () => {
  const rows = [AGENT, DPO, COMPLIANCE_OFFICER, ADMIN].flatMap((role) =>
    [false, true].flatMap((child) => FREE_TEXT_FIELDS.map((field) => ({ role, child, field, readable: oracle(role, child, field) }))),
  );
  test.each(rows)('$role on a child case: $child reads $field: $readable', ({ role, child, field, readable }) => {
    expect(canReadFreeText([role], child, field)).toBe(readable);
  });

  test('a user with several roles reads what the most trusted of them reads', () => {
    expect(canReadFreeText([COMPLIANCE_OFFICER, AGENT], false, 'description')).toBe(true);
    expect(canReadFreeText([ADMIN, DPO], true, 'summary')).toBe(true);
    expect(canReadFreeText([ADMIN, AGENT], true, 'summary')).toBe(false);
  });
});

describe('maskFreeText', () => {
  test.each([
    ['a value', 'called the complainant', '***'],
    ['null', null, '***'],
    ['undefined', undefined, '***'],
  ])('reads "***" for %s when the role may not read the field, so masking never reveals which fields are set', (_label, value, masked) => {
    expect(maskFreeText({ roles: [COMPLIANCE_OFFICER] }, { involvesChildUnder13: false }, 'resolutionSummary', value)).toBe(masked);
  });

  test('returns the value as it is (null included) for a role that may read it', () => {
    expect(maskFreeText({ roles: [AGENT] }, { involvesChildUnder13: false }, 'resolutionSummary', null)).toBeNull();
    expect(maskFreeText({ roles: [AGENT] }, { involvesChildUnder13: false }, 'extensionReason', 'boxes of letters')).toBe('boxes of letters');
  });
});

describe('withoutValues: what the audit trail keeps of a change', () => {
  test('every listed free-text field and the complainant details, at any depth, become { changed: true }', () => {
    const changes = {
      summary: { from: null, to: 'Ann lost her job' },
      description: { from: null, to: 'Ann Smith, 3 Elm St' },
      'note.body': { changed: true },
      resolutionSummary: { from: 'x', to: null },
      panelAdvice: { from: null, to: 'delete the appraisal' },
      reason: 'Ann asked for proof',
      extensionReason: 'complex',
      'breach.summary': { from: null, to: 'laptop with Ann’s file stolen' },
      personalDataBreach: { summary: 'laptop stolen', awareAt: '2026-12-01T00:00:00.000Z' },
      'complainant.email': { from: null, to: 'ann@example.com' },
      status: { from: 'OPEN', to: 'RESOLVED' },
      notesErased: 2,
      regimes: { from: null, to: ['GDPR', 'DPF'] },
    };

    expect(withoutValues(changes)).toEqual({
      summary: { changed: true },
      description: { changed: true },
      'note.body': { changed: true },
      resolutionSummary: { changed: true },
      panelAdvice: { changed: true },
      reason: { changed: true },
      extensionReason: { changed: true },
      'breach.summary': { changed: true },
      personalDataBreach: { summary: { changed: true }, awareAt: '2026-12-01T00:00:00.000Z' },
      'complainant.email': { changed: true },
      status: { from: 'OPEN', to: 'RESOLVED' },
      notesErased: 2,
      regimes: { from: null, to: ['GDPR', 'DPF'] },
    });
  });
});
