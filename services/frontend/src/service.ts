/**
 * The frontend service of one host and one kind (vfio or vdpa): the frontend
 * actor of the owners whose frontend is that kind. Fault groups of their spaces arrive on a subscription
 * per space (`ioasid.<space>.faults`); a handler with policy `map` maps the
 * pages through a control request to the manager, then answers. What every
 * frontend does on the bus is FrontendPorts'.
 */
import { ModelCalls, type ServiceOptions } from '@ioasim/bus';
import { FrontendState, type HandlerAction } from '@ioasim/model';
import type { FaultGroup, FrontendKind, UnrecoverableFault } from '@ioasim/protocol';
import { createActor, type Actor, type AnyActorRef } from 'xstate';
import { FrontendPorts } from './frontend-ports.js';
import { frontendMachine, type FrontendLifecycle } from './machine.js';

export class FrontendService {
  readonly ports: FrontendPorts;
  readonly frontend: FrontendState;
  /** None on a host with no owner of this kind: nothing would ever reach it. */
  private readonly actor: Actor<typeof frontendMachine> | null;
  /** The actor's state, kept in step with it (a host with no owner of this kind has no actor, and the flag alone). */
  #lifecycle: FrontendLifecycle = 'running';
  errors: unknown[] = [];
  /** Fault groups, handler completions and owner events reach the model through here, as plain calls. */
  private readonly calls = new ModelCalls(this.errors);

  constructor(
    readonly options: ServiceOptions,
    readonly kind: FrontendKind,
    /** The parent shared with the host's other actors (DeviceService.actorParent), which stops its children on `actorsStop`; none: a root actor. */
    private readonly actorParent?: AnyActorRef,
  ) {
    const { host, clock, seed } = options;
    this.ports = new FrontendPorts(options, kind);
    const ports = this.ports;
    this.frontend = new FrontendState(host, kind, seed, {
      serveAfter: (delayNs, ioasid, cookie) =>
        ports.clock.afterNs(delayNs, () => this.calls.call(this.handlerServe, ioasid, cookie)),
      respond: (response) => ports.respond(response),
      trace: (event) => ports.trace(event),
    });
    if (this.frontend.owners.size === 0) {
      this.actor = null;
      return;
    }
    const actor = createActor(frontendMachine, {
      input: { frontend: this.frontend, nowNs: () => clock.nowNs() },
      clock,
      id: ports.sender,
      ...(actorParent === undefined ? {} : { parent: actorParent }),
    });
    this.actor = actor;
    actor.subscribe({ error: (error) => this.errors.push(error) });
    actor.start();
    ports.faultsSubscribe(
      this.frontend.handlers.keys(),
      this.frontend.owners.keys(),
      (ioasid, records) => this.calls.call(this.faultGroupsQueue, ioasid, records),
      (owner, records) => this.calls.call(this.ownerEventsQueue, owner, records),
    );
  }

  metricsPublish(): void {
    this.ports.frontendMetricsPublish(this.frontend);
  }

  /** True once stopped (crashed): a stopped frontend hears nothing and sends nothing; what its handlers held is lost. */
  get stopped(): boolean {
    return this.#lifecycle === 'stopped';
  }

  stop(): void {
    this.calls.stop();
    this.ports.close();
    if (this.actor === null) {
      this.#lifecycle = 'stopped';
      return;
    }
    // The lifecycle ends in the machine's final state; the parent then lets the actor go.
    this.actor.send({ type: 'stop' });
    this.#lifecycle = this.actor.getSnapshot().value;
    if (this.actorParent === undefined) this.actor.stop();
    else this.actorParent.send({ type: 'actorsStop', actors: [this.actor] });
  }

  // Made once: the data plane calls them with their arguments, allocating no closure per frame.
  private readonly faultGroupsQueue = (ioasid: string, records: readonly FaultGroup[]): void =>
    this.frontend.faultGroups(this.ports.nowNs(), ioasid, records);
  private readonly ownerEventsQueue = (owner: string, records: readonly UnrecoverableFault[]): void =>
    this.frontend.ownerEvents(this.ports.nowNs(), owner, records);
  private readonly handlerServe = (ioasid: string, cookie: number): void => this.act(this.frontend.serve(ioasid, cookie));

  private act(action: HandlerAction): void {
    switch (action.kind) {
      case 'none':
        return;
      case 'respond':
        this.ports.respond(action.response);
        return;
      case 'map':
        this.ports.mapThenRespond(action);
        return;
    }
  }
}
