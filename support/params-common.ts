/** Parameter types shared by every system. */
import { defineParameterType } from '@cucumber/cucumber';
import { DURATION, parseDuration } from '../world/duration';

/** {duration}: "5 seconds", "500 ms", "2 minutes" -> milliseconds. */
defineParameterType({ name: 'duration', regexp: DURATION, transformer: parseDuration });
