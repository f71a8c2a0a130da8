// Home Assistant MQTT discovery (issue 5 §8). The messages are built at build time
// (tools/plan.ts) and fetched one at a time from the plan module, so their text stays in
// flash. The topics announced are kept in Storage: on the next boot, a topic that is no
// longer in the board (a removed sensor) gets an empty retained config, which is how Home
// Assistant deletes an entity. Messages leave at QoS 1, retained, paced by the node's pump.
import type { Storage } from "../hal/storage";
import type { MqttClient } from "./mqtt/client";

const FILE = "sn-discovery";

export interface Discovery {
  /** Queues the stale deletions and (when `all` or the list changed) every config message. */
  start(all: boolean): void;
  /** Publishes what is queued (QoS 1, retained) while `client` holds fewer than `room` messages; true while some remain. */
  pump(client: MqttClient, room: number): boolean;
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

    pump: function (client: MqttClient, room: number): boolean {
      while (stale.length > 0) {
        if (!client.connected() || client.pending() >= room) return true;
        client.publish(stale[0]!, "", 1, true);
        stale.shift();
      }
      while (next < count) {
        if (!client.connected() || client.pending() >= room) return true;
        const m = message(next)!;
        client.publish(m[0], m[1], 1, true);
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
