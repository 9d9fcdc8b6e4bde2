/**
 * The vdpa service of one host: the frontend actor of the owners whose
 * frontend is vdpa. Fault groups of their spaces arrive on one wildcard
 * subscription (`ioasid.*.faults`); a handler with policy `map` maps the
 * pages through a control request to the manager, then answers.
 */
import { ServicePorts, type ServiceOptions, subjectToken } from '@ioasim/bus';
import { FrontendState, type HandlerAction } from '@ioasim/model';
import {
  ResponseCode,
  frameDecode,
  frameEncode,
  frameRecordsOf,
  type ControlRequest,
  type PageResponse,
} from '@ioasim/protocol';
import { createActor, type Actor, type AnyActorRef } from 'xstate';
import { vdpaMachine } from './machine.js';

/** The subject token that names the ioasid or owner in `ioasim.<run>.<host>.<scope>.<name>.<leaf>`. */
const NAME_TOKEN = 4;
/** How long a handler waits for the manager to answer a map request. */
const CONTROL_TIMEOUT_NS = 1_000_000_000;

export class VdpaService {
  readonly ports: ServicePorts;
  readonly frontend: FrontendState;
  private readonly actor: Actor<typeof vdpaMachine>;
  private controlSequence = 0;
  errors: unknown[] = [];

  constructor(
    readonly options: ServiceOptions,
    /** The parent shared with the host's other actors (DeviceService.actorParent), which stops its children on `actorsStop`; none: a root actor. */
    private readonly actorParent?: AnyActorRef,
  ) {
    const { host, clock, seed } = options;
    this.ports = new ServicePorts(options, `${host.name}/vdpa`);
    const ports = this.ports;
    this.frontend = new FrontendState(host, 'vdpa', seed, {
      serveAfter: (delayNs, ioasid, cookie) =>
        ports.clock.afterNs(delayNs, () => this.actor.send({ type: 'serveComplete', ioasid, cookie })),
      respond: (response) => this.respond(response),
      trace: (event) => ports.trace(event),
    });
    this.actor = createActor(vdpaMachine, {
      input: { frontend: this.frontend, nowNs: () => clock.nowNs(), act: (action) => this.act(action) },
      clock,
      id: `${host.name}/vdpa`,
      ...(actorParent === undefined ? {} : { parent: actorParent }),
    });
    this.actor.subscribe({ error: (error) => this.errors.push(error) });
    this.actor.start();
    const subjects = ports.subjects;
    ports.subscribe(subjects.ioasidFaults('*'), 'faultGroup', (records, message) => {
      const ioasid = subjectToken(message.subject, NAME_TOKEN);
      if (this.frontend.handlers.has(ioasid)) this.actor.send({ type: 'faultGroupBatch', ioasid, records });
    });
    ports.subscribe(subjects.ownerEvents('*'), 'unrecoverableFault', (records, message) => {
      const owner = subjectToken(message.subject, NAME_TOKEN);
      if (this.frontend.owners.has(owner)) this.actor.send({ type: 'ownerEventBatch', owner, records });
    });
  }

  metricsPublish(): void {
    for (const [ioasid, handler] of this.frontend.handlers) {
      this.ports.metricsPublish(`vdpa/handler/${ioasid}`, { ...handler.counters });
    }
    for (const [owner, events] of this.frontend.owners) {
      this.ports.metricsPublish(`vdpa/owner/${owner}`, { events: events.received, lostEvents: events.lost });
    }
  }

  stop(): void {
    this.ports.close();
    if (this.actorParent === undefined) this.actor.stop();
    else this.actorParent.send({ type: 'actorsStop', actors: [this.actor] });
  }

  private act(action: HandlerAction): void {
    switch (action.kind) {
      case 'none':
        return;
      case 'respond':
        this.respond(action.response);
        return;
      case 'map':
        this.mapThenRespond(action);
        return;
    }
  }

  private mapThenRespond(action: Extract<HandlerAction, { kind: 'map' }>): void {
    const request: ControlRequest = {
      owner: action.response.owner,
      operation: { op: 'map', ioasid: action.ioasid, pages: action.pages, perm: action.perm },
    };
    const data = frameEncode('controlRequest', this.ports.sender, ++this.controlSequence, [request]);
    this.ports.request(this.ports.subjects.mgrCtl(), data, CONTROL_TIMEOUT_NS, (result) => {
      const decoded = result.ok ? frameDecode(result.message.data) : null;
      const replies = decoded?.ok === true ? frameRecordsOf(decoded.frame, 'controlReply') : null;
      const mapped = replies?.[0]?.ok === true;
      this.respond(mapped ? action.response : { ...action.response, code: ResponseCode.invalid });
    });
  }

  private respond(response: PageResponse): void {
    this.ports.outbox.add(this.ports.subjects.mgrResp(), 'pageResponse', response);
  }
}
