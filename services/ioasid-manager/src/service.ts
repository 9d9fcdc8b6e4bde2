/**
 * The ioasid-manager service of one host: one manager actor, subscribed to
 * the host's fault reports, page responses and control requests.
 */
import { ServicePorts, type ServiceOptions } from '@ioasim/bus';
import { ManagerState, randomCreate, type ManagerEffects } from '@ioasim/model';
import { frameEncode, type ControlReply } from '@ioasim/protocol';
import { createActor, type Actor } from 'xstate';
import { managerMachine } from './machine.js';

export class ManagerService {
  readonly ports: ServicePorts;
  readonly manager: ManagerState;
  private readonly actor: Actor<typeof managerMachine>;
  errors: unknown[] = [];

  constructor(readonly options: ServiceOptions) {
    const { host, clock, seed, bus } = options;
    this.ports = new ServicePorts(options, `${host.name}/ioasid-manager`);
    this.manager = new ManagerState(host, randomCreate(seed, `${host.name}/ioasid-manager`), this.effects());
    this.actor = createActor(managerMachine, {
      input: { manager: this.manager, nowNs: () => clock.nowNs() },
      clock,
      id: `${host.name}/ioasid-manager`,
    });
    this.actor.subscribe({ error: (error) => this.errors.push(error) });
    this.actor.start();
    const subjects = this.ports.subjects;
    this.ports.subscribe(subjects.mgrFaults(), 'faultRecord', (records) =>
      this.actor.send({ type: 'reportBatch', records }),
    );
    this.ports.subscribe(subjects.mgrResp(), 'pageResponse', (records) =>
      this.actor.send({ type: 'responseBatch', records }),
    );
    let replies = 0;
    this.ports.subscribe(subjects.mgrCtl(), 'controlRequest', (records, message) => {
      for (const request of records) {
        this.actor.send({
          type: 'control',
          request,
          reply: (reply: ControlReply) => {
            if (message.reply === null) return;
            bus.publish(message.reply, frameEncode('controlReply', this.ports.sender, ++replies, [reply]));
          },
        });
      }
    });
  }

  metricsPublish(): void {
    this.ports.metricsPublish('ioasid-manager', {
      ...this.manager.counters,
      pendingGroups: this.manager.pending.size,
      partialsPending: this.manager.partialsPending,
      badFrames: this.ports.badFrames,
    });
  }

  stop(): void {
    this.ports.close();
    this.actor.stop();
  }

  private effects(): ManagerEffects {
    const ports = this.ports;
    const subjects = ports.subjects;
    return {
      dispatchAfter: (delayNs, cookie) => {
        if (delayNs === 0) this.manager.dispatchComplete(ports.nowNs(), cookie);
        else ports.clock.afterNs(delayNs, () => this.actor.send({ type: 'dispatchComplete', cookie }));
      },
      deliver: (ioasid, group) => ports.outbox.add(subjects.ioasidFaults(ioasid), 'faultGroup', group),
      command: (iommu, command) => ports.outbox.add(subjects.iommuCmd(iommu), 'iommuCommand', command),
      ownerEvent: (owner, fault) => ports.outbox.add(subjects.ownerEvents(owner), 'unrecoverableFault', fault),
      trace: (event) => ports.trace(event),
    };
  }
}
