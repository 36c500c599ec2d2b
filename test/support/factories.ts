/** Small fixtures: a valid FileComplaintInput with overrides. */
export function complaintInput(overrides: Record<string, unknown> = {}): Record<string, any> {
  const { complainant, ...rest } = overrides as { complainant?: Record<string, unknown> };
  return {
    complainant: { name: 'Eva Example', email: 'eva@example.com', ...(complainant ?? {}) },
    jurisdiction: 'DE',
    rights: ['ACCESS'],
    channel: 'EMAIL',
    summary: 'No answer to my access request',
    description: 'I asked for a copy of my data two months ago and heard nothing.',
    ...rest,
  };
}

export const COMPLAINT_FIELDS = `
  id reference stage status rights dataContext processingRole regimes jurisdiction channel summary description
  complainant { name email phone involvesChildUnder13 erasedAt }
  assignee { id name } receivedAt acknowledgedAt resolvedAt closedAt outcome resolutionSummary nextDueAt version createdAt updatedAt
  stageHistory { from to reason at actor { id } }
`;

export const FILE_COMPLAINT = `mutation File($input: FileComplaintInput!, $key: String) {
  fileComplaint(input: $input, idempotencyKey: $key) { ${COMPLAINT_FIELDS} }
}`;
