// What a guided tutorial is made of: steps that each say what and why, the operations "Run this
// step" applies, and the names of the lab's checks that turn the step green.

import type { NetOp } from '../net/ops'

/** Something in the app worth looking at after a step (e.g. the ARP table of red). */
export interface GuideLook {
  /** The namespace to select (HOST_NS for the root). */
  ns: string
  /** The namespace panel's tab to show. */
  tab?: 'interfaces' | 'addresses' | 'routes' | 'neighbours' | 'sockets'
  /** What to notice there, in a sentence. */
  note: string
}

/** A question to think about, with the answer behind a click. */
export interface GuideQuestion {
  ask: string
  answer: string
}

/**
 * A small service a step starts (a socat listener answering with one line, as the Sockets tab's
 * Service form starts it): "Run this step" starts it after the step's operations, reset stops it.
 */
export interface GuideService {
  /** The namespace it listens in (HOST_NS for the root). */
  ns: string
  protocol: 'tcp'
  port: number
}

/** One step of a guided tutorial. Steps are cumulative: step k builds on steps 1..k-1. */
export interface GuideStep {
  /** Stable id within the guide (kept in saved progress). */
  id: string
  title: string
  /** What the step does and why, in plain words. */
  why: string
  /** What "Run this step" applies, in order (through netns:apply, one by one). */
  ops: NetOp[]
  /** Services "Run this step" starts after `ops` (one already running there is left as it is). */
  services?: GuideService[]
  /** Commands to try by hand in a terminal; shown, never run by the app (argv, no shell). */
  tryIt?: string[][]
  look?: GuideLook
  question?: GuideQuestion
  /** Names of checks of the guide's lab that must all pass for the step to be green. */
  checks: string[]
}

/** A guided tutorial over a built-in lab (the lab is its end state). */
export interface Guide {
  /** The built-in lab's name, e.g. "tutorial-2". */
  lab: string
  /** Its number in the tutorial list (1-5). */
  number: number
  title: string
  /** What the learner builds, in two or three sentences. */
  intro: string
  steps: GuideStep[]
}
