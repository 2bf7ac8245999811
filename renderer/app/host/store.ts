/**
 * What the screens show, kept in one place and fed by the host's events: the session, the
 * till, the terminal's status, the devices, the latest notice and the connection itself.
 * Screens read it with `useHost()`; nothing here decides anything about a payment.
 */
import { useSyncExternalStore } from 'react';
import type { AppEvent, SessionInfo } from '../../../main/contract/app-api.ts';
import { createAppClient, type AppClient } from '../../../main/contract/client.ts';
import type { DeviceView, TerminalStatus, TillState } from '../../../main/contract/schemas.ts';
import type { ConnectionState, HostConnection } from './transport.ts';

export interface Notice {
  id: number;
  level: 'info' | 'warning' | 'error';
  code: string;
  message: string;
}

export interface HostView {
  connection: ConnectionState;
  session: SessionInfo | null;
  till: TillState | null;
  terminal: TerminalStatus | null;
  devices: DeviceView[];
  notices: Notice[];
}

export interface HostStore {
  client: AppClient;
  get(): HostView;
  subscribe(listener: () => void): () => void;
  /** Re-reads the session, the till, the status and the devices (after a reconnect or a role change). */
  refresh(): Promise<void>;
  dismissNotice(id: number): void;
  /** Shows a notice that came from this page (a camera problem, a keyboard-layout warning). */
  notify(notice: Omit<Notice, 'id'>): void;
}

export function createHostStore(connection: HostConnection): HostStore {
  const client = createAppClient(connection);
  const listeners = new Set<() => void>();
  let view: HostView = { connection: 'connecting', session: null, till: null, terminal: null, devices: [], notices: [] };
  let noticeId = 1;

  const set = (patch: Partial<HostView>) => {
    view = { ...view, ...patch };
    for (const listener of listeners) listener();
  };

  // A till state older than the one shown (events and call results can cross) is ignored.
  const setTill = (till: TillState) => {
    if (view.till === null || till.seq >= view.till.seq || till.at > view.till.at) set({ till });
  };

  const notify = (notice: Omit<Notice, 'id'>) => set({ notices: [...view.notices.slice(-4), { ...notice, id: noticeId++ }] });

  const apply = (event: AppEvent) => {
    switch (event.name) {
      case 'till':
        return setTill(event.state);
      case 'terminal':
        return set({ terminal: event.status });
      case 'session':
        // The session's settings changed (the language above all), perhaps on another page: a
        // manager in Settings, while a customer display shows on its own screen all day.
        void client
          .call('session.info', {})
          .then((session) => {
            if (JSON.stringify(session) !== JSON.stringify(view.session)) set({ session });
          })
          .catch(() => undefined);
        return;
      case 'devices':
        return set({ devices: event.devices });
      case 'settlement':
        return view.terminal === null ? undefined : set({ terminal: { ...view.terminal, settlement: event.settlement } });
      case 'notice':
        return notify({ level: event.level, code: event.code, message: event.message });
    }
  };

  const refresh = async () => {
    const session = await client.call('session.info', {});
    set({ session });
    const [till, terminal, devices] = await Promise.all([
      client.call('payments.state', {}).catch(() => null),
      client.call('terminal.status', {}).catch(() => null),
      session.role === 'display' ? Promise.resolve({ devices: [] }) : client.call('devices.list', {}).catch(() => ({ devices: [] })),
    ]);
    if (till !== null) setTill(till);
    set({ terminal, devices: devices.devices });
  };

  client.onEvent(apply);
  connection.onState((state) => {
    set({ connection: state });
    if (state === 'open') void refresh().catch(() => undefined);
  });
  void connection.session.then((session) => set({ session }));

  return {
    client,
    get: () => view,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    refresh,
    dismissNotice: (id) => set({ notices: view.notices.filter((n) => n.id !== id) }),
    notify,
  };
}

export function useHostView(store: HostStore): HostView {
  return useSyncExternalStore(store.subscribe, store.get);
}
