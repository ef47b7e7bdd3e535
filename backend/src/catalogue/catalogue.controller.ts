import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { connectorCatalogue } from '../engine/connectors.js';

/** `GET /api/connectors`: what the dashboard renders step and credential forms from. */
@ApiTags('connectors')
@ApiBearerAuth()
@Controller('connectors')
export class CatalogueController {
  @Get()
  list() {
    return connectorCatalogue();
  }
}
