// The labs the app ships: the tutorials' end states and break/fix challenges, as YAML text
// (modules, not files, so the renderer, main, the CLI and tests load them without a file system).
// A challenge is built with a fault in it; its first check is its goal, which fails as built.

import type { BuiltinLab } from '../types'
import { challenge1 } from './challenge-1'
import { challenge2 } from './challenge-2'
import { challenge3 } from './challenge-3'
import { challenge4 } from './challenge-4'
import { challenge5 } from './challenge-5'
import { challenge6 } from './challenge-6'
import { challenge7 } from './challenge-7'
import { challenge8 } from './challenge-8'
import { tutorial1 } from './tutorial-1'
import { tutorial2 } from './tutorial-2'
import { tutorial3 } from './tutorial-3'
import { tutorial4 } from './tutorial-4'
import { tutorial5 } from './tutorial-5'

/** Every built-in lab: the tutorials in order, then the challenges (a test checks name, kind and title against the YAML). */
export const BUILTIN_LABS: readonly BuiltinLab[] = [
  {
    name: 'tutorial-1',
    kind: 'tutorial',
    title: 'Two namespaces joined by a veth cable',
    yaml: tutorial1,
  },
  { name: 'tutorial-2', kind: 'tutorial', title: 'A bridge joins red and green', yaml: tutorial2 },
  {
    name: 'tutorial-3',
    kind: 'tutorial',
    title: 'The host routes and NATs for its namespaces',
    yaml: tutorial3,
  },
  {
    name: 'tutorial-4',
    kind: 'tutorial',
    title: 'ARP and routing tables of two namespaces',
    yaml: tutorial4,
  },
  { name: 'tutorial-5', kind: 'tutorial', title: 'veth states across namespaces', yaml: tutorial5 },
  {
    name: 'challenge-1',
    kind: 'challenge',
    title: 'Challenge: ns1 cannot reach ns2',
    yaml: challenge1,
  },
  {
    name: 'challenge-2',
    kind: 'challenge',
    title: 'Challenge: one cable, two networks',
    yaml: challenge2,
  },
  {
    name: 'challenge-3',
    kind: 'challenge',
    title: 'Challenge: red has no way out',
    yaml: challenge3,
  },
  {
    name: 'challenge-4',
    kind: 'challenge',
    title: 'Challenge: the router that does not route',
    yaml: challenge4,
  },
  {
    name: 'challenge-5',
    kind: 'challenge',
    title: 'Challenge: no way back from outside',
    yaml: challenge5,
  },
  {
    name: 'challenge-6',
    kind: 'challenge',
    title: 'Challenge: the wrong gateway',
    yaml: challenge6,
  },
  { name: 'challenge-7', kind: 'challenge', title: 'Challenge: a one-way road', yaml: challenge7 },
  {
    name: 'challenge-8',
    kind: 'challenge',
    title: 'Challenge: plugged into the wrong switch',
    yaml: challenge8,
  },
]
