// A BFD session in asynchronous mode (RFC 5880): state machine, timer negotiation, detection, diagnostics.
//
// Guarantees (RFC 5880 clauses in brackets):
// - state variables as §6.8.1; a Down/Init/Up machine driven by received packets (§6.8.6) and by
//   the expiry of the detection timer, which sets Down with diagnostic 1 (§6.8.4);
// - while the session is not Up the advertised Desired Min TX is at least 1 s (§6.8.3); a change
//   of the advertised intervals (configuration, or reaching Up) starts a Poll Sequence that ends
//   when a packet with the Final bit arrives (§6.5, §6.8.3); a received Poll is answered at once
//   with Final (§6.8.6);
// - the transmit interval is the greater of the advertised Desired Min TX and the remote's last
//   Required Min RX, less 0-25 % jitter (0-10 % more when Detect Mult is 1) (§6.8.2, §6.8.7);
// - the detection time is the remote's Detect Mult times the greater of the local Required Min RX
//   and the remote's last Desired Min TX (§6.8.4); bfd.RemoteDiscr is zeroed on expiry (§6.8.1);
// - a packet whose Your Discriminator is not ours, or that fails BfdControlHeader.parse, is
//   discarded (§6.8.6); a state change sends a packet at once.
// Defects: `multiplier` false uses 1 for the remote Detect Mult (detection after one interval);
// `honourRemoteMinRx` false transmits at the local interval whatever the remote asked for;
// `expiryDiag` sets the diagnostic written on expiry (1 when conformant).

import { BFD_DIAG, BFD_STATE, BfdControlHeader, type BfdState } from '../../protocols/bfd/control.ts';
import type { EventList, EventSource } from '../sim/eventlist.ts';
import type { Rng } from '../sim/rng.ts';

export const PS_PER_US = 1_000_000;
/** §6.8.3: the slowest rate a session not Up transmits at. */
export const BFD_SLOW_TX_US = 1_000_000;

export interface BfdTimers {
  desiredMinTxUs: number;
  requiredMinRxUs: number;
  detectMult: number;
}

export interface BfdDefects {
  multiplier: boolean;
  honourRemoteMinRx: boolean;
  expiryDiag: number;
}

export const BFD_CONFORMANT: BfdDefects = { multiplier: true, honourRemoteMinRx: true, expiryDiag: BFD_DIAG.CONTROL_DETECTION_TIME_EXPIRED };

export interface BfdHost {
  /** Sends a control packet on the session's port. */
  send(h: BfdControlHeader): void;
  /** Told after every state change. */
  onStateChange(from: BfdState, to: BfdState): void;
}

export class BfdSession implements EventSource {
  simId?: number;
  state: BfdState = BFD_STATE.DOWN;
  remoteState: BfdState = BFD_STATE.DOWN;
  remoteDiscr = 0;
  localDiag = 0;
  remoteDiag = 0;
  /** §6.8.1: initialised to 1 (us). */
  remoteMinRxUs = 1;
  remoteDesiredTxUs = 0;
  remoteDetectMult = 0;
  /** The interval the local side advertises and uses (configured, or the slow rate while not Up). */
  private advertisedTxUs = BFD_SLOW_TX_US;
  private pollActive = false;
  private sendFinal = false;
  /** Ever been Up (forwarding withdraws a port only after that). */
  hasBeenUp = false;
  enabled = true;
  // statistics
  txPackets = 0;
  rxPackets = 0;
  discarded = 0;
  upTransitions = 0;
  downTransitions = 0;
  lastDownPs = -1;
  lastUpPs = -1;
  /** The last packet sent (its header), for captures and tests. */
  lastSent: BfdControlHeader | null = null;

  private nextTxPs = Infinity;
  private detectAtPs = Infinity;
  private timerAt = Infinity;
  private timerPending = false;

  constructor(
    private readonly events: EventList,
    private readonly rng: Rng,
    readonly localDiscr: number,
    public timers: BfdTimers,
    private readonly host: BfdHost,
    private readonly defects: BfdDefects = BFD_CONFORMANT,
  ) {
    this.advertisedTxUs = Math.max(timers.desiredMinTxUs, BFD_SLOW_TX_US);
  }

  /** Starts transmitting (first packet after a random share of one interval). */
  start(): void {
    this.enabled = true;
    if (this.state === BFD_STATE.ADMIN_DOWN) this.setState(BFD_STATE.DOWN, BFD_DIAG.NONE);
    this.scheduleTx(this.events.nowPs + Math.floor(this.rng.next() * this.txIntervalUs() * PS_PER_US));
  }

  /**
   * Administratively disables the session: one AdminDown packet tells the peer (§6.8.16), then
   * nothing; a later start() begins a new session (it is not withdrawn from forwarding before it
   * has been Up again).
   */
  stop(): void {
    if (!this.enabled) return;
    this.setState(BFD_STATE.ADMIN_DOWN, BFD_DIAG.ADMINISTRATIVELY_DOWN);
    this.transmit();
    this.enabled = false;
    this.hasBeenUp = false;
    this.pollActive = false;
    this.nextTxPs = Infinity;
    this.detectAtPs = Infinity;
  }

  /** Negotiated transmit interval without jitter (§6.8.2, §6.8.7). */
  txIntervalUs(): number {
    const remote = this.defects.honourRemoteMinRx ? this.remoteMinRxUs : 0;
    return Math.max(this.advertisedTxUs, remote);
  }

  /** Detection time (§6.8.4), us; 0 before anything was received. */
  detectionTimeUs(): number {
    const mult = this.defects.multiplier ? this.remoteDetectMult : Math.min(1, this.remoteDetectMult);
    return mult * Math.max(this.timers.requiredMinRxUs, this.remoteDesiredTxUs);
  }

  get advertisedDesiredMinTxUs(): number {
    return this.advertisedTxUs;
  }
  get pollInProgress(): boolean {
    return this.pollActive;
  }

  /** New configured timers; a Poll Sequence announces them (§6.8.3). */
  configure(timers: BfdTimers): void {
    this.timers = { ...timers };
    this.refreshAdvertised(true);
    if (this.enabled && this.state === BFD_STATE.ADMIN_DOWN) {
      this.setState(BFD_STATE.DOWN, BFD_DIAG.NONE);
    }
  }

  private refreshAdvertised(poll: boolean): void {
    const want = this.state === BFD_STATE.UP ? this.timers.desiredMinTxUs : Math.max(this.timers.desiredMinTxUs, BFD_SLOW_TX_US);
    if (want !== this.advertisedTxUs || poll) {
      this.advertisedTxUs = want;
      if (this.enabled) {
        this.pollActive = true;
        this.scheduleTx(this.events.nowPs);
      }
    }
  }

  private setState(to: BfdState, diag: number): void {
    const from = this.state;
    if (from === to) return;
    this.state = to;
    this.localDiag = diag;
    const now = this.events.nowPs;
    if (to === BFD_STATE.UP) {
      this.hasBeenUp = true;
      this.upTransitions++;
      this.lastUpPs = now;
    } else if (from === BFD_STATE.UP) {
      this.downTransitions++;
      this.lastDownPs = now;
    }
    // Reaching Up lets the fast rate apply; leaving it brings back the slow one (§6.8.3).
    this.refreshAdvertised(false);
    if (this.enabled) this.scheduleTx(now);
    this.host.onStateChange(from, to);
  }

  /** A control packet arrived on the session's port (already parsed, §6.8.6 packet checks done). */
  receive(h: BfdControlHeader): void {
    if (!this.enabled) return;
    if (h.yourDiscriminator !== 0 && h.yourDiscriminator !== this.localDiscr) {
      this.discarded++;
      return;
    }
    this.rxPackets++;
    this.remoteDiscr = h.myDiscriminator;
    this.remoteState = h.state;
    this.remoteDiag = h.diag;
    this.remoteMinRxUs = h.requiredMinRxUs;
    this.remoteDesiredTxUs = h.desiredMinTxUs;
    this.remoteDetectMult = h.detectMult;
    if (h.final && this.pollActive) this.pollActive = false;
    const now = this.events.nowPs;
    this.detectAtPs = now + this.detectionTimeUs() * PS_PER_US;
    if (h.state === BFD_STATE.ADMIN_DOWN) {
      if (this.state !== BFD_STATE.DOWN) this.setState(BFD_STATE.DOWN, BFD_DIAG.NEIGHBOR_SIGNALED_SESSION_DOWN);
    } else if (this.state === BFD_STATE.DOWN) {
      if (h.state === BFD_STATE.DOWN) this.setState(BFD_STATE.INIT, BFD_DIAG.NONE);
      else if (h.state === BFD_STATE.INIT) this.setState(BFD_STATE.UP, BFD_DIAG.NONE);
    } else if (this.state === BFD_STATE.INIT) {
      if (h.state === BFD_STATE.INIT || h.state === BFD_STATE.UP) this.setState(BFD_STATE.UP, BFD_DIAG.NONE);
    } else if (this.state === BFD_STATE.UP && h.state === BFD_STATE.DOWN) {
      this.setState(BFD_STATE.DOWN, BFD_DIAG.NEIGHBOR_SIGNALED_SESSION_DOWN);
    }
    if (h.poll) {
      this.sendFinal = true;
      this.scheduleTx(now);
    }
    this.arm();
  }

  private scheduleTx(atPs: number): void {
    if (atPs < this.nextTxPs) this.nextTxPs = atPs;
    this.arm();
  }

  private arm(): void {
    const t = Math.min(this.nextTxPs, this.detectAtPs);
    if (t === Infinity) return;
    if (this.timerPending && this.timerAt <= t) return;
    this.timerPending = true;
    this.timerAt = Math.max(t, this.events.nowPs);
    this.events.schedule(this.timerAt, this);
  }

  onEvent(): void {
    const now = this.events.nowPs;
    if (now < this.timerAt) return;
    this.timerPending = false;
    this.timerAt = Infinity;
    if (now >= this.detectAtPs) {
      this.detectAtPs = Infinity;
      this.remoteDiscr = 0;
      if (this.state === BFD_STATE.INIT || this.state === BFD_STATE.UP) this.setState(BFD_STATE.DOWN, this.defects.expiryDiag);
    }
    if (this.enabled && now >= this.nextTxPs) {
      this.transmit();
      const base = this.txIntervalUs();
      // §6.8.7: 75-100 % of the interval, at most 90 % when Detect Mult is 1.
      const top = this.timers.detectMult === 1 ? 0.9 : 1;
      const jitter = 0.75 + this.rng.next() * (top - 0.75);
      this.nextTxPs = now + Math.max(1, Math.round(base * jitter * PS_PER_US));
    }
    this.arm();
  }

  private transmit(): void {
    const h = new BfdControlHeader({
      diag: this.localDiag,
      state: this.state,
      poll: this.pollActive && !this.sendFinal,
      final: this.sendFinal,
      detectMult: this.timers.detectMult,
      myDiscriminator: this.localDiscr,
      yourDiscriminator: this.remoteDiscr,
      desiredMinTxUs: this.advertisedTxUs,
      requiredMinRxUs: this.timers.requiredMinRxUs,
    });
    this.sendFinal = false;
    this.txPackets++;
    this.lastSent = h;
    this.host.send(h);
  }
}
