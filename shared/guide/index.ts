// The five guided tutorials, in order, and lookup by lab name.

import { guide1 } from './tutorial-1'
import { guide2 } from './tutorial-2'
import { guide3 } from './tutorial-3'
import { guide4 } from './tutorial-4'
import { guide5 } from './tutorial-5'
import type { Guide } from './types'

export type { Guide, GuideLook, GuideQuestion, GuideService, GuideStep } from './types'

/** Every guided tutorial, in tutorial order. */
export const GUIDES: readonly Guide[] = [guide1, guide2, guide3, guide4, guide5]

/** The guide over built-in lab `lab`, or null. */
export function guideFor(lab: string): Guide | null {
  return GUIDES.find((g) => g.lab === lab) ?? null
}
