import type { ClientInfo } from './subscriber.js';
import { matchesTopic } from './topics.js';
import type { ClientDirectory, Member } from './types.js';

interface LocalView {
  clients(filter?: { readonly topic?: string }): ClientInfo[];
  members(topic: string): Member[];
  client(clientId: string): ClientInfo | undefined;
  disconnect(clientId: string): boolean;
}

/**
 * The hub's questions about clients, asked of every node: through the directory when there
 * is one (a shared engine or `--workers`), of this node alone when there is none.
 */
export function clusterView({
  directory,
  local,
  orderDisconnect,
}: {
  directory: ClientDirectory | undefined;
  local: LocalView;
  /** Sends the node holding `clientId` an order to close it. */
  orderDisconnect: (clientId: string) => Promise<void>;
}) {
  const matching = (clients: ClientInfo[], topic: string) =>
    clients.filter((c) => c.topics.some((subscription) => matchesTopic(subscription, topic)));

  return {
    async listClients(filter: { readonly topic?: string } = {}): Promise<ClientInfo[]> {
      if (directory?.list === undefined) return local.clients(filter);
      const all = await directory.list();
      return filter.topic === undefined ? all : matching(all, filter.topic);
    },

    async listMembers(topic: string): Promise<Member[]> {
      if (directory?.list === undefined) return local.members(topic);
      return matching(await directory.list(), topic).map((c) => ({
        clientId: c.id,
        subject: c.subject,
        metadata: c.metadata,
        connectedAt: c.connectedAt,
      }));
    },

    async findClient(clientId: string): Promise<ClientInfo | undefined> {
      const here = local.client(clientId);
      if (here !== undefined) return here;
      if (!(await directory?.has(clientId))) return undefined;
      return (await directory?.list?.())?.find((c) => c.id === clientId);
    },

    async disconnectAnywhere(clientId: string): Promise<boolean> {
      if (local.disconnect(clientId)) return true;
      if (!(await directory?.has(clientId))) return false;
      await orderDisconnect(clientId);
      return true;
    },
  };
}
