export enum Role {
  AGENT = 'AGENT',
  DPO = 'DPO',
  COMPLIANCE_OFFICER = 'COMPLIANCE_OFFICER',
  ADMIN = 'ADMIN',
}

export const ALL_ROLES = Object.values(Role);
