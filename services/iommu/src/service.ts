/**
 * The iommu service of one host: an iommu actor per IOMMU, with one wildcard
 * subscription per subject kind (`iommu.*.ats`, `iommu.*.pri`, `iommu.*.cmd`)
 * dispatched by the iommu token of the subject. Records reach the IOMMU's
 * model as plain calls (ModelCalls); its actor holds the lifecycle.
 */
import { ModelCalls, ServicePorts, type ServiceOptions, subjectToken } from '@ioasim/bus';
import { IommuState, randomCreate, type IommuEffects } from '@ioasim/model';
import type { IommuCommand, PageRequest, TranslationRequest } from '@ioasim/protocol';
import { createActor, type Actor, type AnyActorRef } from 'xstate';
import { iommuMachine } from './machine.js';

type IommuActor = Actor<typeof iommuMachine>;

/** The subject token that names the iommu in `ioasim.<run>.<host>.iommu.<iommu>.<leaf>`. */
const IOMMU_TOKEN = 4;

export class IommuService {
  readonly ports: ServicePorts;
  readonly iommus = new Map<string, IommuState>();
  private readonly actors = new Map<string, IommuActor>();
  errors: unknown[] = [];
  private readonly calls = new ModelCalls(this.errors);

  constructor(
    readonly options: ServiceOptions,
    /** The parent shared with the host's other actors (DeviceService.actorParent), which stops its children on `actorsStop`; none: a root actor. */
    private readonly actorParent?: AnyActorRef,
  ) {
    const { host, clock, seed } = options;
    this.ports = new ServicePorts(options, `${host.name}/iommu`);
    for (const config of host.iommus) {
      const iommu = new IommuState(host, config, randomCreate(seed, `${host.name}/iommu/${config.name}`), this.effects());
      this.iommus.set(config.name, iommu);
      const actor = createActor(iommuMachine, {
        input: { iommu, nowNs: () => clock.nowNs() },
        clock,
        id: `${host.name}/iommu/${config.name}`,
        ...(actorParent === undefined ? {} : { parent: actorParent }),
      });
      actor.subscribe({ error: (error) => this.errors.push(error) });
      this.actors.set(config.name, actor.start());
    }
    const subjects = this.ports.subjects;
    // Made once: the data plane calls them with the IOMMU and the batch, allocating nothing per frame.
    const translationsServe = (iommu: IommuState, batch: readonly TranslationRequest[]): void => iommu.translationRequests(clock.nowNs(), batch);
    const pageRequestsQueue = (iommu: IommuState, batch: readonly PageRequest[]): void => iommu.pageRequests(clock.nowNs(), batch);
    const commandsApply = (iommu: IommuState, batch: readonly IommuCommand[]): void => iommu.commands(clock.nowNs(), batch);
    this.ports.subscribe(subjects.iommuAts('*'), 'translationRequest', (records, message) => {
      const iommu = this.iommuOf(message.subject);
      if (iommu !== null) this.calls.call(translationsServe, iommu, records);
    });
    this.ports.subscribe(subjects.iommuPri('*'), 'pageRequest', (records, message) => {
      const iommu = this.iommuOf(message.subject);
      if (iommu !== null) this.calls.call(pageRequestsQueue, iommu, records);
    });
    this.ports.subscribe(subjects.iommuCmd('*'), 'iommuCommand', (records, message) => {
      const iommu = this.iommuOf(message.subject);
      if (iommu !== null) this.calls.call(commandsApply, iommu, records);
    });
  }

  metricsPublish(): void {
    const nowNs = this.ports.nowNs();
    for (const [name, iommu] of this.iommus) {
      this.ports.metricsPublish(`iommu/${name}`, {
        ...iommu.counters,
        priQueueDepth: iommu.priQueueDepth(nowNs),
        badFrames: this.ports.badFrames,
      });
    }
  }

  stop(): void {
    this.calls.stop();
    this.ports.close();
    // The lifecycle ends in the machine's final state; the parent then lets the actors go.
    for (const actor of this.actors.values()) actor.send({ type: 'stop' });
    if (this.actorParent === undefined) for (const actor of this.actors.values()) actor.stop();
    else this.actorParent.send({ type: 'actorsStop', actors: [...this.actors.values()] });
  }

  /** The IOMMU a frame on `subject` is for; null (counted as a bad frame) for one this host does not have. */
  private iommuOf(subject: string): IommuState | null {
    const iommu = this.iommus.get(subjectToken(subject, IOMMU_TOKEN));
    if (iommu === undefined) {
      this.ports.badFrames++;
      return null;
    }
    return iommu;
  }

  private effects(): IommuEffects {
    const ports = this.ports;
    const subjects = ports.subjects;
    const faultsSubject = subjects.mgrFaults();
    return {
      translationCompletion: (device, completion) =>
        ports.outbox.add(subjects.devAts(device), 'translationCompletion', completion),
      report: (delayNs, report) => {
        if (delayNs === 0) ports.outbox.add(faultsSubject, 'faultRecord', report);
        else ports.clock.afterNs(delayNs, () => ports.outbox.add(faultsSubject, 'faultRecord', report));
      },
      prgResponse: (device, response) => ports.outbox.add(subjects.devPrgr(device), 'prgResponse', response),
      atcInvalidation: (device, invalidation) => ports.outbox.add(subjects.devInv(device), 'atcInvalidation', invalidation),
      trace: (event) => ports.trace(event),
    };
  }
}
