import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import 'graphiql/graphiql.css';
import { TOKEN_KEY } from './api';

/**
 * The in-browser GraphQL IDE at GET /graphql (Accept: text/html): GraphiQL bundled at build
 * time (no CDN). The Authorization header starts empty ("Bearer "), or with the desk's
 * session token when the desk is signed in in this tab's session.
 */
const token = sessionStorage.getItem(TOKEN_KEY) ?? '';
const headers = JSON.stringify({ Authorization: `Bearer ${token}` }, null, 2);
const fetcher = createGraphiQLFetcher({
  url: '/graphql',
  headers: token ? { Authorization: `Bearer ${token}` } : undefined, // the schema docs load before any edit
  subscriptionUrl: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
  wsConnectionParams: { authorization: `Bearer ${token}` },
});

const tab = (title: string, query: string, variables?: object) => ({
  query: `# ${title}\n${query}`,
  variables: variables ? JSON.stringify(variables, null, 2) : undefined,
  headers,
});

const EXAMPLES = [
  tab(
    'Anyone: who am I, and the queue by next due date',
    `query Queue {
  me { tenantId roles user { id name } }
  complaints(orderBy: { field: NEXT_DUE_AT, direction: ASC }, first: 10) {
    totalCount
    edges { node { id reference stage status nextDueAt } }
  }
}`,
  ),
  tab(
    'AGENT or DPO: file a complaint',
    `mutation File($input: FileComplaintInput!) {
  fileComplaint(input: $input) { id reference regimes slaTimers { kind regime dueAt } }
}`,
    {
      input: {
        complainant: { name: 'Eva Example', email: 'eva@example.com' },
        jurisdiction: 'DE',
        rights: ['ACCESS'],
        channel: 'EMAIL',
        summary: 'No answer to my access request',
        description: 'Two months and nothing.',
      },
    },
  ),
  tab(
    'DPO: escalate where the table allows',
    `mutation Escalate($id: ID!) {
  escalateComplaint(id: $id, to: INDEPENDENT_ADR, reason: "Unresolved after DPO review") { id stage availableEscalations }
}`,
    { id: '' },
  ),
  tab(
    'DPO, COMPLIANCE_OFFICER or ADMIN: compliance report',
    `query Report {
  complianceReport(from: "2026-01-01T00:00:00Z", to: "2027-01-01T00:00:00Z") {
    received resolved openAtEnd sla { complianceRate byKind { kind met breached } }
  }
}`,
  ),
  tab(
    'ADMIN: SLA policies',
    `query Policies {
  slaPolicies { regime stage kind duration businessDays source }
}`,
  ),
];

/** GraphiQL's editors leave some inputs unnamed for screen readers: name them after their pane. */
const PANES: [string, string][] = [
  ['.graphiql-query-editor', 'GraphQL query editor'],
  ['.graphiql-editor-tool', 'Variables and headers editor'],
  ['.result-window', 'Response'],
  ['.graphiql-doc-explorer', 'Search the schema documentation'],
];
new MutationObserver(() => {
  for (const el of document.querySelectorAll<HTMLElement>('#ide textarea:not([aria-label]), #ide input:not([aria-label])')) {
    if ((el as HTMLInputElement).labels?.length) continue;
    el.setAttribute('aria-label', PANES.find(([selector]) => el.closest(selector))?.[1] ?? 'GraphiQL input');
  }
}).observe(document.getElementById('ide')!, { childList: true, subtree: true });

createRoot(document.getElementById('ide')!).render(
  <GraphiQL
    fetcher={fetcher}
    defaultTabs={EXAMPLES}
    defaultHeaders={headers}
    isHeadersEditorEnabled
    defaultEditorToolsVisibility="headers"
    shouldPersistHeaders={false}
  />,
);
