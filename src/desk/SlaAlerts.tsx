import { useEffect, useState } from 'react';
import type { Api } from './api';
import { SlaAlertsDocument, type SlaAlertsSubscription } from './graphql/generated';
import { label, when } from './operations';

type Alert = SlaAlertsSubscription['slaAlerts'];

/** SLA warnings and breaches as they happen (slaAlerts over graphql-ws), shown as a live notice. */
export function SlaAlerts({ api }: { api: Api }) {
  const [alerts, setAlerts] = useState<Alert[]>([]);
  useEffect(() => {
    const sub = api.client.subscription(SlaAlertsDocument, {}).subscribe((result) => {
      const alert = result.data?.slaAlerts;
      if (alert) window.dispatchEvent(new CustomEvent('cms:sla-alert'));
      if (alert) setAlerts((list) => [alert, ...list.filter((a) => a.timer.id !== alert.timer.id || a.kind !== alert.kind)].slice(0, 5));
    });
    return () => sub.unsubscribe();
  }, [api]);
  return (
    <div className="alerts" role="alert" aria-live="assertive">
      {alerts.map((a) => (
        <div key={`${a.timer.id}-${a.kind}`} className={`alert ${a.kind === 'BREACHED' ? 'breach' : 'warn'}`}>
          <strong>{a.kind === 'BREACHED' ? 'SLA breached' : 'SLA warning'}:</strong> <a href={`#/case/${a.complaintId}`}>{a.reference}</a> —{' '}
          {label(a.timer.kind)} ({a.timer.regime}) due {when(a.timer.dueAt)}
          <button
            type="button"
            className="ghost small"
            aria-label={`Dismiss alert for ${a.reference}`}
            onClick={() => setAlerts((l) => l.filter((x) => x !== a))}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
