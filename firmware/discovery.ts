// Home Assistant MQTT discovery (issue 5 §8). The messages are built at build time
// (tools/plan.ts) and fetched one at a time from the plan module, so their text stays in
// flash. The topics announced are kept in Storage: on the next boot, a topic that is no
// longer in the board (a removed sensor) gets an empty retained config, which is how Home
// Assistant deletes an entity. Messages leave at QoS 1, retained, paced by the node's pump.
import type { Storage } from "../hal/storage";

const FILE = "sn-discovery";

export interface Discovery {
  /** Queues the stale deletions and (when `all` or the list changed) every config message. */
  start(all: boolean): void;
  /** Publishes what is queued while `send` accepts; true while some remain. */
  pump(send: (topic: string, payload: string) => boolean): boolean;
}

export function createDiscovery(count: number, message: (i: number) => [string, string] | undefined, storage: Storage): Discovery {
  let stale: string[] = [];
  let next = count;
  let list: string | undefined;

  return {
    start: function (all: boolean): void {
      const previous = (storage.read(FILE) || "").split("\n");
      const current: string[] = [];
      for (let i = 0; i < count; i++) current.push(message(i)![0]);
      const text = current.join("\n");
      stale = previous.filter(function (topic) {
        return topic !== "" && current.indexOf(topic) < 0;
      });
      const changed = text !== previous.join("\n");
      if (all || changed) next = 0;
      list = changed ? text : undefined;
    },

    pump: function (send: (topic: string, payload: string) => boolean): boolean {
      while (stale.length > 0) {
        if (!send(stale[0]!, "")) return true;
        stale.shift();
      }
      while (next < count) {
        const m = message(next)!;
        if (!send(m[0], m[1])) return true;
        next++;
      }
      if (list !== undefined) {
        // Written once every deletion and announcement is with the client (which resends
        // QoS 1 messages after a reconnect).
        if (list === "") storage.erase(FILE);
        else storage.write(FILE, list);
        list = undefined;
      }
      return false;
    },
  };
}
