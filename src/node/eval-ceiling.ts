/**
 * The ceiling: how often the emotion model reads real photos of the evaluation split as their own label. Every
 * agreement of an edit (eval-presets.ts, eval-neutralize.ts) is divided by it: the model misreads real faces too, so
 * an edit is judged against what the model makes of the real expression.
 */
import { EMOTIONS } from '../engine/tools';
import { pc, type EvalSection } from './eval-common';
import { kit, LABEL_EMOTION } from './eval-kit';

export const ceilingSection: EvalSection = {
  name: 'Ceiling: the emotion model on real photos of each label (evaluation people)',
  async run(ctx) {
    const k = await kit(ctx);
    const out = ['How often the emotion model reads real photos of the evaluation split as their own label: the level an edit is compared with.', ''];
    out.push(`| label | photos | read as the label | ${EMOTIONS.join(' | ')} |`, `| --- | --- | --- | ${EMOTIONS.map(() => '---').join(' | ')} |`);
    for (const label of ['neutral', 'happy', 'surprise', 'anger', 'sad', 'disgust', 'fear']) {
      const c = k.ceiling.get(label);
      if (!c) continue;
      out.push(`| ${label} (${LABEL_EMOTION[label]}) | ${c.n} | ${pc(c.agree, c.n)} | ${EMOTIONS.map((e) => c.counts[e]).join(' | ')} |`);
    }
    return out.join('\n');
  },
};
